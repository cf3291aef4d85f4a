"""Tabular files (reports, exports): rows streamed into CSV or XLSX in constant memory.

write() puts them into a binary file object (a file, BytesIO); stream_csv() yields CSV chunks
for a StreamingHttpResponse.
"""

import codecs
import contextlib
import csv
import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# Excel's last row, less the header.
XLSX_MAX_ROWS = 1_048_575
# A cell starting with one of these is run as a formula when the CSV is opened in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value) -> str:
    """A value as CSV text: ISO dates, plain decimals (never 1E+2), empty for None, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):  # datetime too
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        # A buyer named "=HYPERLINK(...)" must stay text (OWASP CSV injection): a leading quote does that.
        return f"'{value}" if value.startswith(FORMULA_STARTS) else value
    return str(value)


class _Utf8:
    """Text in, UTF-8 out: lets csv.writer write to any binary file object (a file, BytesIO, a response)."""

    def __init__(self, fileobj: BinaryIO):
        self.fileobj = fileobj

    def write(self, text: str):
        return self.fileobj.write(text.encode("utf-8"))


def write_csv(columns: Sequence[str], rows: Iterable[Sequence], fileobj: BinaryIO, *, title: str = "") -> int:
    """Write a header and the rows as UTF-8 CSV with a BOM (so Excel reads the accents); returns rows written."""
    fileobj.write(codecs.BOM_UTF8)
    writer = csv.writer(_Utf8(fileobj))
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
        count += 1
    return count


class _Pieces:
    """Collects what csv.writer writes, for stream_csv to hand out in chunks."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str):
        self.parts.append(text)

    def take(self) -> bytes:
        data = "".join(self.parts).encode("utf-8")
        self.parts.clear()
        return data


def stream_csv(columns: Sequence[str], rows: Iterable[Sequence], *, chunk_rows: int = 500) -> Iterator[bytes]:
    """The bytes write_csv writes, as chunks for a StreamingHttpResponse: the BOM and the header come
    first, before any row is fetched, so the download starts at once; then `chunk_rows` rows at a time."""
    pieces = _Pieces()
    writer = csv.writer(pieces)
    writer.writerow(columns)
    yield codecs.BOM_UTF8 + pieces.take()
    for count, row in enumerate(rows, 1):
        writer.writerow([_csv_text(value) for value in row])
        if count % chunk_rows == 0:
            yield pieces.take()
    if pieces.parts:
        yield pieces.take()


def _xlsx_value(sheet, value):
    """Numbers and dates stay typed; text that openpyxl would take for a formula or an error stays text,
    and control characters XML cannot hold (openpyxl would refuse the whole file) are dropped."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith("=") or value in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _sheet_title(title: str) -> str:
    """A valid worksheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = " ".join("".join(" " if c in "[]:*?/\\" else c for c in title).split())
    return cleaned[:31].rstrip() or "Sheet"


def write_xlsx(columns: Sequence[str], rows: Iterable[Sequence], fileobj: BinaryIO, *, title: str = "Sheet") -> int:
    """Write a one-sheet workbook (bold, frozen header; typed cells) in write-only mode; returns rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column) + 2)
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    try:
        for row in rows:
            if count == XLSX_MAX_ROWS:
                raise ValueError(f"An XLSX sheet holds at most {XLSX_MAX_ROWS:,} rows; use CSV instead.")
            sheet.append([_xlsx_value(sheet, value) for value in row])
            count += 1
        workbook.save(fileobj)
    except BaseException:
        _discard(sheet)
        raise
    return count


def _discard(sheet) -> None:
    """Close and delete the temporary file a write-only sheet streams into; openpyxl itself removes it
    only at interpreter exit, which a long-running worker never reaches."""
    with contextlib.suppress(Exception):
        sheet.close()
        sheet._writer.cleanup()


@dataclass(frozen=True)
class Format:
    """A file format rows can be written in."""

    extension: str
    content_type: str
    write: Callable[..., int]


FORMATS: dict[str, Format] = {
    "csv": Format(extension="csv", content_type="text/csv; charset=utf-8", write=write_csv),
    "xlsx": Format(
        extension="xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        write=write_xlsx,
    ),
}


def write(fmt: str, columns: Sequence[str], rows: Iterable[Sequence], fileobj: BinaryIO, *, title: str = "") -> int:
    """Write `rows` under the header `columns` in format `fmt` ("csv" or "xlsx"); returns rows written.

    `title` names the XLSX sheet; CSV has no place for it.
    """
    try:
        file_format = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"Unknown file format {fmt!r}; use one of: {', '.join(FORMATS)}.") from None
    return file_format.write(columns, rows, fileobj, title=title or "Sheet")
