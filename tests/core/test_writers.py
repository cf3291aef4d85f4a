"""Report and export files read back the way a user's tools read them: csv with a BOM, openpyxl for XLSX."""

import codecs
import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from apps.core import writers
from apps.core.writers import FORMATS, stream_csv, write, write_csv, write_xlsx

COLUMNS = ("Buyer code", "Buyer name", "Month start", "Orders", "Amount", "Note")
ROWS = [
    ("ZARA", "Zürich Moda & Ærø", datetime.date(2026, 1, 31), 2, Decimal("1459.60"), None),
    ("ACME", 'Acme, "Best" Apparel\nLtd', datetime.date(2025, 12, 1), 0, Decimal("1E+2"), '=HYPERLINK("x")'),
    ("B-1", "-5 Brand", datetime.date(2026, 2, 28), 1, Decimal("-0.50"), "#N/A"),
]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_write_csv_round_trips_through_the_csv_module():
    out = io.BytesIO()
    assert write_csv(COLUMNS, iter(ROWS), out) == 3
    data = out.getvalue()
    assert data.startswith(codecs.BOM_UTF8)  # so Excel reads UTF-8
    assert csv_rows(data) == [
        list(COLUMNS),
        ["ZARA", "Zürich Moda & Ærø", "2026-01-31", "2", "1459.60", ""],
        # Quotes and newlines are quoted by csv; a Decimal never turns into 1E+2; a formula is defused.
        ["ACME", 'Acme, "Best" Apparel\nLtd', "2025-12-01", "0", "100", '\'=HYPERLINK("x")'],
        ["B-1", "'-5 Brand", "2026-02-28", "1", "-0.50", "#N/A"],
    ]


def test_write_csv_with_no_rows_writes_the_header():
    out = io.BytesIO()
    assert write_csv(COLUMNS, [], out) == 0
    assert csv_rows(out.getvalue()) == [list(COLUMNS)]


def test_stream_csv_gives_the_bytes_write_csv_writes_in_chunks():
    rows = ROWS * 4  # 12 rows
    out = io.BytesIO()
    write_csv(COLUMNS, rows, out)

    chunks = list(stream_csv(COLUMNS, iter(rows), chunk_rows=5))

    assert b"".join(chunks) == out.getvalue()
    assert chunks[0] == codecs.BOM_UTF8 + b"Buyer code,Buyer name,Month start,Orders,Amount,Note\r\n"
    assert len(chunks) == 4  # the header, then 5 + 5 + 2 rows


def test_stream_csv_sends_the_header_before_reading_any_row():
    def rows():
        raise AssertionError("read too early")
        yield  # pragma: no cover

    stream = stream_csv(COLUMNS, rows())
    assert next(stream).startswith(codecs.BOM_UTF8)


def test_write_xlsx_reads_back_with_typed_cells_and_a_bold_frozen_header():
    out = io.BytesIO()
    assert write_xlsx(COLUMNS, (row for row in ROWS), out, title="Sales by buyer and month") == 3
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet.title == "Sales by buyer and month"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert list(sheet.iter_rows(values_only=True)) == [
        COLUMNS,
        ("ZARA", "Zürich Moda & Ærø", datetime.datetime(2026, 1, 31), 2, 1459.6, None),
        ("ACME", 'Acme, "Best" Apparel\nLtd', datetime.datetime(2025, 12, 1), 0, 100, '=HYPERLINK("x")'),
        ("B-1", "-5 Brand", datetime.datetime(2026, 2, 28), 1, -0.5, "#N/A"),
    ]
    date, amount, formula_like, error_like = sheet["C2"], sheet["E2"], sheet["F3"], sheet["F4"]
    assert (date.is_date, date.number_format) == (True, "yyyy-mm-dd")
    assert amount.data_type == "n"
    assert (formula_like.data_type, error_like.data_type) == ("s", "s")  # text, never a formula or an error


def test_write_xlsx_drops_control_characters_and_cleans_the_sheet_title():
    out = io.BytesIO()
    write_xlsx(("Name",), [("Bell\x07 Brand",)], out, title="Stock: W1/W2 [all] and a very long report title")
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet["A2"].value == "Bell Brand"
    assert sheet.title == "Stock W1 W2 all and a very long"  # 31 characters, none of []:*?/\


def test_write_xlsx_refuses_more_rows_than_a_sheet_holds(monkeypatch):
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 2)
    with pytest.raises(ValueError, match="at most 2 rows"):
        write_xlsx(("N",), [(1,), (2,), (3,)], io.BytesIO())


def test_formats_name_their_extension_and_content_type():
    assert {key: (f.extension, f.content_type) for key, f in FORMATS.items()} == {
        "csv": ("csv", "text/csv; charset=utf-8"),
        "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_write_dispatches_on_the_format(fmt):
    out = io.BytesIO()
    assert write(fmt, COLUMNS, ROWS, out, title="Sales") == 3
    if fmt == "csv":
        assert csv_rows(out.getvalue())[0] == list(COLUMNS)
    else:
        assert load_workbook(out).active.max_row == 4


def test_write_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="Unknown file format 'pdf'"):
        write("pdf", COLUMNS, ROWS, io.BytesIO())


def test_write_xlsx_leaves_no_temporary_file_when_the_rows_fail():
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    def failing_rows():
        yield (1,)
        raise RuntimeError("database went away")

    before = set(ALL_TEMP_FILES)
    with pytest.raises(RuntimeError, match="went away"):
        write_xlsx(("N",), failing_rows(), io.BytesIO())
    assert set(ALL_TEMP_FILES) == before
