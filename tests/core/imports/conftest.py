import io

import pytest
from openpyxl import Workbook

BUYER_HEADER = "code,name,company,country,currency,email,payment_terms,is_active"


@pytest.fixture
def csv_file(tmp_path):
    """csv_file("a,b\\n1,2\\n", encoding="cp1252") -> the path of a file holding that text in that encoding."""

    def make(text: str, *, encoding: str = "utf-8", name: str = "data.csv"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return make


@pytest.fixture
def xlsx_file(tmp_path):
    """xlsx_file([[header...], [row...]], merge=["B2:B3"]) -> the path of a workbook written by openpyxl."""

    def make(rows: list[list], *, merge: tuple[str, ...] = (), name: str = "data.xlsx"):
        workbook = Workbook()
        sheet = workbook.active
        for row in rows:
            sheet.append(row)
        for cells in merge:
            sheet.merge_cells(cells)
        path = tmp_path / name
        workbook.save(path)
        return path

    return make


def upload(data: bytes, name: str) -> io.BytesIO:
    """A file object as the admin's upload gives one: bytes with a name."""
    file = io.BytesIO(data)
    file.name = name
    return file
