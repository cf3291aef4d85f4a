import zipfile

import pytest

from apps.core.imports.readers import FormulaWithoutValue, UnreadableFile, read_table

from .conftest import upload


def rows_of(table):
    return list(table.rows)


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [("a;b\n1;2\n", ";"), ("a\tb\n1\t2\n", "\t"), ("a|b\n1|2\n", "|"), ("a,b\n1,2\n", ",")],
)
def test_read_table_detects_the_delimiter(csv_file, text, delimiter):
    table = read_table(csv_file(text))
    assert table.headers == ["a", "b"]
    assert rows_of(table) == [(2, ["1", "2"])]
    assert repr(delimiter) in table.description


def test_read_table_takes_the_delimiter_given(csv_file):
    table = read_table(csv_file("a;b,c\n1;2,3\n"), delimiter=",")
    assert table.headers == ["a;b", "c"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_read_table_detects_the_encoding(csv_file, encoding):
    table = read_table(csv_file("name,city\nCafé Noël,Zürich\n", encoding=encoding))
    assert table.headers == ["name", "city"]
    assert rows_of(table) == [(2, ["Café Noël", "Zürich"])]


def test_read_table_refuses_a_file_not_in_the_encoding_given(csv_file):
    path = csv_file("name\nok\nCafé\n", encoding="cp1252")
    with pytest.raises(UnreadableFile, match=r"not valid utf-8: byte 0xe9 on line 3 .*--encoding cp1252"):
        read_table(path, encoding="utf-8")


def test_read_table_refuses_an_unknown_encoding(csv_file):
    with pytest.raises(UnreadableFile, match="Unknown encoding 'klingon'"):
        read_table(csv_file("a\n1\n"), encoding="klingon")


def test_read_table_skips_empty_rows_keeping_row_numbers(csv_file):
    table = read_table(csv_file("\n\na,b\n1,2\n,\n\n  ,  \n3,4\n"))
    assert table.headers == ["a", "b"]
    assert rows_of(table) == [(4, ["1", "2"]), (8, ["3", "4"])]


@pytest.mark.parametrize("text", ["", "\n\n", " , \n"])
def test_read_table_refuses_an_empty_file(csv_file, text):
    with pytest.raises(UnreadableFile):
        read_table(csv_file(text))


def test_read_table_reads_a_file_object(csv_file):
    table = read_table(upload("a,b\n1,2\n".encode("cp1252"), "upload.csv"))
    assert rows_of(table) == [(2, ["1", "2"])]


def test_read_table_refuses_old_excel_and_broken_workbooks():
    with pytest.raises(UnreadableFile, match=r"\.xlsx"):
        read_table(upload(b"\xd0\xcf\x11\xe0 old excel", "buyers.xls"))
    with pytest.raises(UnreadableFile, match="Not a readable XLSX"):
        read_table(upload(b"PK\x03\x04 not really a zip", "buyers.xlsx"))


def test_read_table_reads_xlsx_values_and_fills_merged_cells(xlsx_file):
    path = xlsx_file(
        [["a", "b", "c"], [1, "GB", "x"], [2, None, "y"], [None, None, None], [3, "FR", "z"]], merge=("B2:B3",)
    )
    table = read_table(path)
    assert table.headers == ["a", "b", "c"]
    assert table.description == "XLSX, sheet 'Sheet'"
    assert rows_of(table) == [(2, [1, "GB", "x"]), (3, [2, "GB", "y"]), (5, [3, "FR", "z"])]


def test_read_table_marks_a_formula_without_a_saved_value(xlsx_file):
    table = read_table(xlsx_file([["a", "b"], [2, "=A2*3"]]))
    assert rows_of(table) == [(2, [2, FormulaWithoutValue("=A2*3")])]


def test_read_table_reads_a_formula_s_saved_value(xlsx_file):
    path = with_saved_values(xlsx_file([["a", "b"], [2, "=A2*3"]]), {"=A2*3": "6"})
    assert rows_of(read_table(path)) == [(2, [2, 6])]


def with_saved_values(path, values: dict[str, str]):
    """The workbook as Excel would save it: each formula followed by its result (openpyxl computes none)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for formula, value in values.items():
        sheet = sheet.replace(f"<f>{formula[1:]}</f><v />", f"<f>{formula[1:]}</f><v>{value}</v>")
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path
