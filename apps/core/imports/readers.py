"""Rows out of the spreadsheets buyers and suppliers send: CSV in any common encoding and delimiter, or XLSX.

    table = read_table(path)                 # format, encoding and delimiter detected
    table.headers                            # the header row as written
    for number, values in table.rows: ...    # number: the row in the file (header = 1); values: list

Empty rows are skipped. XLSX cells give their stored values: a formula gives the result Excel
saved with the file, and (in workbooks up to XLSX_FULL_READ_BYTES) a merged range gives its value
to every cell it covers; bigger workbooks are streamed, where merged cells are read as empty.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

# Tried in this order when the file has no byte-order mark: UTF-8 first (it fails loudly on
# anything else), then Windows-1252, the usual encoding of a CSV saved by Excel in the West.
FALLBACK_ENCODINGS = ("utf-8", "cp1252")
DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
# openpyxl holds a whole workbook as objects (about a kilobyte a cell) unless it streams it.
XLSX_FULL_READ_BYTES = 5 * 1024 * 1024


class UnreadableFile(ValueError):
    """The file cannot be read as a table at all (as opposed to a bad row)."""


@dataclass(frozen=True)
class FormulaWithoutValue:
    """An XLSX cell holding a formula but no saved result (a workbook written by a program, never opened
    in Excel): its value is unknown, which is an error for its row, not an empty cell."""

    formula: str


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list]]
    description: str  # e.g. "CSV, cp1252, ';'" for the summary


def read_table(source, *, fmt: str | None = None, encoding: str | None = None, delimiter: str | None = None) -> Table:
    """Open a CSV or XLSX file (a path, or a binary file object with a name)."""
    data = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    name = str(source) if isinstance(source, str | Path) else getattr(source, "name", "")
    fmt = (fmt or _format_of(name, data)).lower()
    if fmt == "xlsx":
        return _read_xlsx(data)
    if fmt == "csv":
        return _read_csv(data, encoding=encoding, delimiter=delimiter)
    raise UnreadableFile(f"Unknown format {fmt!r}: use csv or xlsx.")


def _format_of(name: str, data: bytes) -> str:
    if data[:4] == b"PK\x03\x04":  # a zip archive, which is what an XLSX file is
        return "xlsx"
    if name.lower().endswith((".xls", ".xlsm", ".ods")):
        raise UnreadableFile("Only .xlsx workbooks are read: save the file as .xlsx or .csv.")
    return "csv"


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError as error:
            raise UnreadableFile(f"Unknown encoding {encoding!r}.") from error
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise UnreadableFile(
                f"The file is not valid {encoding}: byte 0x{data[error.start]:02x} on line {line} cannot be read. "
                "Pass the encoding it was saved in (e.g. --encoding cp1252), or leave --encoding out to detect it."
            ) from error
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name), name
    for name in FALLBACK_ENCODINGS:
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("Cannot tell the file's encoding: pass --encoding.")


def _read_csv(data: bytes, *, encoding: str | None, delimiter: str | None) -> Table:
    text, used = _decode(data, encoding)
    if not text.strip():
        raise UnreadableFile("The file is empty.")
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:SNIFF_BYTES], delimiters=DELIMITERS).delimiter
        except csv.Error:
            delimiter = ","  # one column, or too irregular to tell: the common case
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbered = ((number, row) for number, row in enumerate(reader, start=1))
    headers = _first_nonempty(numbered)
    return Table(
        headers=[str(h).strip() for h in headers], rows=_nonempty(numbered), description=f"CSV, {used}, {delimiter!r}"
    )


def _read_xlsx(data: bytes) -> Table:
    streamed = len(data) > XLSX_FULL_READ_BYTES
    try:
        # data_only: a formula's saved result, not its text; the second copy tells an empty cell from a
        # formula whose result was never saved (both read as None in the first).
        workbook = load_workbook(io.BytesIO(data), data_only=True, read_only=streamed)
        formulas = load_workbook(io.BytesIO(data), data_only=False, read_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged archive
        raise UnreadableFile(f"Not a readable XLSX workbook: {error}.") from error
    sheet = workbook.worksheets[0]
    for merged in [] if streamed else list(sheet.merged_cells.ranges):
        value = sheet.cell(merged.min_row, merged.min_col).value
        sheet.unmerge_cells(str(merged))
        for row in sheet.iter_rows(
            min_row=merged.min_row, max_row=merged.max_row, min_col=merged.min_col, max_col=merged.max_col
        ):
            for cell in row:
                cell.value = value
    rows = zip(
        sheet.iter_rows(values_only=True),
        _padded(formulas.worksheets[0].iter_rows(values_only=True)),
        strict=False,
    )
    numbered = (
        (number, [_xlsx_value(value, formula) for value, formula in zip(values, texts, strict=False)])
        for number, (values, texts) in enumerate(rows, start=1)
    )
    headers = _first_nonempty(numbered)
    return Table(
        headers=["" if h is None else str(h).strip() for h in headers],
        rows=_nonempty(numbered),
        description=f"XLSX, sheet {sheet.title!r}",
    )


def _padded(rows) -> Iterator[tuple]:
    """The formula sheet's rows, each long enough to pair with every value (a row may end early)."""
    for row in rows:
        yield (*row, *([None] * 1024))


def _xlsx_value(value, formula):
    if value is None and formula is not None:
        text = getattr(formula, "text", formula)  # an array formula is an object holding its text
        if isinstance(text, str) and text.startswith("="):
            return FormulaWithoutValue(text)
    return value


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _first_nonempty(numbered) -> list:
    for _, row in numbered:
        if not all(_blank(value) for value in row):
            return row
    raise UnreadableFile("The file has no header row.")


def _nonempty(numbered) -> Iterator[tuple[int, list]]:
    for number, row in numbered:
        if not all(_blank(value) for value in row):
            yield number, row
