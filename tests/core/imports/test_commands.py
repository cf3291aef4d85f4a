"""manage.py import_data and import_template: options, output and exit status."""

import csv
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from openpyxl import load_workbook

from apps.buyers.models import Buyer
from apps.inventory.models import Material
from apps.purchasing.models import Supplier
from tests.buyers.factories import BuyerFactory

from .conftest import BUYER_HEADER

pytestmark = pytest.mark.django_db

ACME = "ACME,Acme Apparel,,GB,GBP,,net_60,true"
BOLT = "BOLT,Bolt Brands,,FR,EUR,,net_30,true"
BAD = "BAD,Bad,,gb,GBP,,,"
EXAMPLES = settings.BASE_DIR / "docs" / "examples"


def import_data(*args) -> tuple[str, str]:
    """Run the command; (stdout, stderr). Raises CommandError when not every row loaded."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_data", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        error.stdout, error.stderr = out.getvalue(), err.getvalue()
        raise
    return out.getvalue(), err.getvalue()


def test_import_data_loads_a_file_and_prints_the_summary(csv_file):
    out, err = import_data("buyers", csv_file(f"{BUYER_HEADER}\n{ACME}\n{BOLT}\n"))

    assert "buyers (CSV, utf-8, ','): 2 rows read." in out
    assert "Created 2, updated 0, unchanged 0, skipped 0, failed 0." in out
    assert err == ""  # no progress bar: stderr is not a terminal
    assert Buyer.objects.count() == 2


def test_import_data_twice_says_nothing_changed(csv_file):
    path = csv_file(f"{BUYER_HEADER}\n{ACME}\n{BOLT}\n")
    import_data("buyers", path)

    out, _ = import_data("buyers", path)

    assert "Created 0, updated 0, unchanged 2" in out and "Nothing changed." in out


def test_import_data_fails_when_a_row_fails_listing_the_errors(csv_file, tmp_path):
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError, match=r"^1 record not loaded\.$") as raised:
        import_data("buyers", csv_file(f"{BUYER_HEADER}\n{ACME}\n{BAD}\n"), "--errors", errors)

    assert "row 3, country 'gb': Use a two-letter ISO 3166 country code, e.g. GB." in raised.value.stderr
    assert "Created 1" in raised.value.stdout
    assert list(csv.reader(errors.open(encoding="utf-8-sig"))) == [
        ["row", "column", "value", "message"],
        ["3", "country", "gb", "Use a two-letter ISO 3166 country code, e.g. GB."],
    ]
    assert Buyer.objects.count() == 1


def test_import_data_strict_writes_nothing(csv_file):
    with pytest.raises(CommandError, match=r"^1 record not loaded; nothing was written\.$") as raised:
        import_data("buyers", csv_file(f"{BUYER_HEADER}\n{ACME}\n{BAD}\n"), "--strict", "--batch-size", "1")

    assert "Strict mode: nothing was written" in raised.value.stdout
    assert not Buyer.objects.exists()


def test_import_data_dry_run_writes_nothing(csv_file):
    out, _ = import_data("buyers", csv_file(f"{BUYER_HEADER}\n{ACME}\n{BOLT}\n"), "--dry-run")

    assert "Would create 2" in out and "Dry run: nothing was written." in out
    assert not Buyer.objects.exists()


def test_import_data_update_and_skip_existing(csv_file):
    BuyerFactory(code="ACME", name="Old", company="", email="")
    path = csv_file(f"{BUYER_HEADER}\n{ACME}\n")

    with pytest.raises(CommandError) as raised:
        import_data("buyers", path)
    assert "use --update to change it or --skip-existing to leave it" in raised.value.stderr

    out, _ = import_data("buyers", path, "--skip-existing")
    assert "skipped 1" in out and Buyer.objects.get(code="ACME").name == "Old"

    out, _ = import_data("buyers", path, "--update")
    assert "updated 1" in out and Buyer.objects.get(code="ACME").name == "Acme Apparel"


def test_import_data_refuses_update_with_skip_existing(csv_file):
    with pytest.raises(CommandError, match="not allowed with argument"):
        import_data("buyers", csv_file(f"{BUYER_HEADER}\n{ACME}\n"), "--update", "--skip-existing")


def test_import_data_takes_format_encoding_and_delimiter(csv_file):
    path = csv_file(
        f"{BUYER_HEADER}\n{ACME}\nCAFE,Café,,FR,EUR,,,\n".replace(",", "\t"), encoding="cp1252", name="b.txt"
    )

    out, _ = import_data("buyers", path, "--format", "csv", "--encoding", "cp1252", "--delimiter", "\\t")

    assert "CSV, cp1252, '\\t'" in out
    assert Buyer.objects.get(code="CAFE").name == "Café"


def test_import_data_reports_a_file_level_error(csv_file):
    path = csv_file(f"{BUYER_HEADER}\nCAFE,Café,,FR,EUR,,,\n", encoding="cp1252")
    with pytest.raises(CommandError, match=r"^The file was not imported\.$") as raised:
        import_data("buyers", path, "--encoding", "utf-8")
    assert raised.value.stderr.startswith("file: The file is not valid utf-8")


def test_import_data_refuses_unknown_resources_and_missing_files(tmp_path):
    with pytest.raises(CommandError, match=r"Unknown resource 'widgets'; known: .*buyers"):
        import_data("widgets", tmp_path / "x.csv")
    with pytest.raises(CommandError, match="Cannot read"):
        import_data("buyers", tmp_path / "missing.csv")


def test_import_data_exits_non_zero_from_the_shell(tmp_path):
    """manage.py's exit status is what scripts check: 1 when a row failed (CommandError)."""
    path = tmp_path / "bad.csv"
    path.write_text(f"{BUYER_HEADER}\n{BAD}\n")
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "import_data", "buyers", str(path), "--dry-run"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, check=False,
        env={**os.environ, "DATABASE_URL": url},  # the test database; a dry run writes nothing
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "1 record not loaded" in result.stderr


@pytest.mark.parametrize(("resource", "model"), [("buyers", Buyer), ("suppliers", Supplier), ("materials", Material)])
def test_the_example_files_import(resource, model):
    out, _ = import_data(resource, EXAMPLES / f"{resource}.csv", "--strict")
    assert model.objects.count() > 0 and "failed 0" in out
    out, _ = import_data(resource, EXAMPLES / f"{resource}.csv")
    assert "Nothing changed." in out


def test_the_example_workbook_imports():
    import_data("buyers", EXAMPLES / "buyers.xlsx", "--strict")
    assert Buyer.objects.filter(code="NORD").exists()


# --- import_template ----------------------------------------------------------------------


def template(*args) -> str:
    out = io.StringIO()
    call_command("import_template", *map(str, args), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_template_prints_the_header_and_an_example_row():
    header, example = list(csv.reader(io.StringIO(template("buyers"))))
    assert header == BUYER_HEADER.split(",")
    assert example[:2] == ["ACME", "Acme Apparel"]


@pytest.mark.parametrize("resource", ["buyers", "suppliers", "materials"])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_import_template_s_example_row_imports(tmp_path, resource, extension):
    target = tmp_path / f"template.{extension}"
    template(resource, "--output", target)

    out, _ = import_data(resource, target, "--strict")

    assert "Created 1," in out


def test_import_template_writes_xlsx_with_a_sheet_describing_the_columns(tmp_path):
    target = tmp_path / "materials.xlsx"
    template("materials", "--output", target)

    workbook = load_workbook(target)
    assert [cell.value for cell in workbook.worksheets[0][1]][:3] == ["code", "name", "kind"]
    notes = {row[0]: row for row in workbook["Columns"].iter_rows(min_row=2, values_only=True)}
    assert notes["code"][1] == "yes" and "material code" in notes["code"][2]


def test_import_template_refuses_other_extensions_and_unknown_resources(tmp_path):
    with pytest.raises(CommandError, match=r"\.csv or \.xlsx"):
        template("buyers", "--output", tmp_path / "buyers.json")
    with pytest.raises(CommandError, match="Unknown resource"):
        template("widgets")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_import_data_shows_a_progress_bar_on_a_terminal(csv_file, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    rows = "\n".join(f"B{n:03d},Buyer {n},,GB,GBP,,,true" for n in range(30))

    import_data("buyers", csv_file(f"{BUYER_HEADER}\n{rows}\n"), "--batch-size", "10")

    assert "buyers: 100%" in terminal.getvalue() and "30/30" in terminal.getvalue()
