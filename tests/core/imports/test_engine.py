"""The import engine with the buyers and materials resources: malformed files, modes, idempotency, query counts."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError

from apps.buyers.models import Buyer
from apps.core import cache
from apps.core.imports.base import BatchResult, Column, Resource, RowError, get_resource
from apps.core.imports.engine import ImportReport, match_headers, normalize_header, run_import
from apps.inventory.models import Material
from tests.buyers.factories import BuyerFactory

from .conftest import BUYER_HEADER, upload
from .test_readers import with_saved_values

pytestmark = pytest.mark.django_db

ACME = "ACME,Acme Apparel,Acme Apparel Ltd,GB,GBP,orders@acme.example,net_60,true"
BOLT = "BOLT,Bolt Brands,,FR,EUR,,net_30,true"
CAFE = "CAFE,Café Noël,,FR,EUR,,,"


def buyers(source, **options) -> ImportReport:
    return run_import(get_resource("buyers"), source, **options)


def materials(source, **options) -> ImportReport:
    return run_import(get_resource("materials"), source, **options)


def lines(*rows: str, header: str = BUYER_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def error_tuples(report: ImportReport) -> list[tuple]:
    return [(error.row, error.column, error.value, error.message) for error in report.errors]


# --- A good file -------------------------------------------------------------------------


def test_run_import_creates_buyers_validated_like_the_api(csv_file):
    report = buyers(csv_file(lines(ACME, BOLT)))

    assert report.ok and report.written
    assert (report.rows_read, report.created, report.updated, report.unchanged, report.failed) == (2, 2, 0, 0, 0)
    acme = Buyer.objects.get(code="ACME")
    assert (acme.name, acme.company, acme.email, acme.payment_terms, acme.is_active) == (
        "Acme Apparel", "Acme Apparel Ltd", "orders@acme.example", "net_60", True
    )  # fmt: skip
    assert Buyer.objects.get(code="BOLT").company == ""
    assert "Created 2, updated 0, unchanged 0, skipped 0, failed 0." in report.summary()


def test_run_import_applies_model_defaults_to_empty_cells(csv_file):
    buyers(csv_file(lines(CAFE)))

    cafe = Buyer.objects.get(code="CAFE")
    assert (cafe.payment_terms, cafe.is_active) == ("net_60", True)


def test_run_import_writes_the_audit_trail_and_bumps_the_cache_version(csv_file):
    before = cache.versions([Buyer])

    buyers(csv_file(lines(ACME)))

    assert list(Buyer.objects.get(code="ACME").history.values_list("history_type", flat=True)) == ["+"]
    assert cache.versions([Buyer]) != before


def test_run_import_reads_a_file_object(csv_file):
    report = buyers(upload(lines(ACME).encode("utf-8"), "buyers.csv"))
    assert report.created == 1


# --- Headers ------------------------------------------------------------------------------


def test_normalize_header_ignores_case_spaces_underscores_and_hyphens():
    assert {
        normalize_header(text) for text in ("Payment Terms", " payment_terms ", "PAYMENT-TERMS", "payment  terms")
    } == {"payment terms"}


def test_run_import_matches_aliases_and_headers_written_any_way(csv_file):
    header = "Buyer Code , NAME,Legal name,Country_Code,CCY,E-mail,Terms,ACTIVE"
    report = buyers(csv_file(lines(ACME, header=header)))

    assert report.ok and report.ignored_columns == []
    assert Buyer.objects.get(code="ACME").company == "Acme Apparel Ltd"


def test_run_import_ignores_and_lists_extra_columns(csv_file):
    report = buyers(csv_file(lines(ACME + ",Sales rep,x", header=BUYER_HEADER + ",Notes,Region")))

    assert report.ok and report.created == 1
    assert report.ignored_columns == ["Notes", "Region"]
    assert "Ignored columns: Notes, Region." in report.summary()


def test_run_import_refuses_a_file_missing_a_required_column_writing_nothing(csv_file):
    report = buyers(csv_file("code,name,currency\nACME,Acme,GBP\nBOLT,Bolt,EUR\n"))

    assert error_tuples(report) == [(1, "country", "", "Missing required column 'country' (or 'country code').")]
    assert not report.written and report.rows_read == 0
    assert not Buyer.objects.exists()


def test_run_import_refuses_a_column_given_twice(csv_file):
    report = buyers(csv_file(lines(ACME + ",GBP", header=BUYER_HEADER + ",ccy")))

    assert error_tuples(report) == [
        (1, "currency", "ccy", "Column 'currency' appears twice (as 'currency' and 'ccy').")
    ]
    assert not Buyer.objects.exists()


def test_match_headers_maps_positions_to_columns():
    columns = (Column("code", required=True), Column("name", aliases=("title",)))
    positions, ignored, errors = match_headers(columns, ["Title", "", "extra", "CODE"])
    assert (positions, ignored, errors) == ({0: "name", 3: "code"}, ["extra"], [])


# --- Malformed files ----------------------------------------------------------------------


def test_run_import_reports_a_file_in_another_encoding_than_given(csv_file):
    report = buyers(csv_file(lines(ACME, CAFE), encoding="cp1252"), encoding="utf-8")

    [error] = report.errors
    assert (error.row, error.column) == (0, "")
    assert "not valid utf-8" in error.message and "--encoding" in error.message
    assert not report.written and not Buyer.objects.exists()


def test_run_import_detects_a_cp1252_file(csv_file):
    report = buyers(csv_file(lines(ACME, CAFE), encoding="cp1252"))

    assert report.ok and report.description == "CSV, cp1252, ','"
    assert Buyer.objects.get(code="CAFE").name == "Café Noël"


def test_run_import_reads_semicolons_and_the_encoding_given(csv_file):
    text = lines(ACME, CAFE).replace(",", ";")
    report = buyers(csv_file(text, encoding="latin-1"), encoding="latin-1", delimiter=";")

    assert report.ok and report.created == 2
    assert Buyer.objects.get(code="CAFE").name == "Café Noël"


def test_run_import_skips_empty_rows(csv_file):
    report = buyers(csv_file(f"{BUYER_HEADER}\n\n{ACME}\n,,,,,,,\n   \n{BOLT}\n\n"))

    assert report.ok and report.rows_read == 2 and report.created == 2


def test_run_import_reports_bad_numbers_per_row_and_loads_the_rest(csv_file):
    header = "code,name,kind,unit,standard_cost,reorder_level"
    text = lines(
        "M1,Twill,fabric,m,3.25,500",
        "M2,Button,trim,pcs,abc,10",
        "M3,Thread,trim,cone,1.5,-4",
        "M4,Label,trim,pcs,0.123456,1e400",
        header=header,
    )
    report = materials(csv_file(text))

    assert error_tuples(report) == [
        (3, "standard_cost", "abc", "A valid number is required."),
        (4, "reorder_level", "-4", "Ensure this value is greater than or equal to 0."),
        (5, "standard_cost", "0.123456", "Ensure that there are no more than 4 decimal places."),
        (5, "reorder_level", "1e400", "Ensure that there are no more than 14 digits in total."),
    ]
    assert (report.created, report.failed) == (1, 3)
    assert list(Material.objects.values_list("code", "standard_cost", "reorder_level")) == [
        ("M1", Decimal("3.2500"), Decimal("500.000"))
    ]


def test_run_import_reports_bad_choices_and_codes(csv_file):
    report = buyers(csv_file(lines("acme,Acme,,Britain,pounds,not-an-email,monthly,maybe")))

    assert {(error.column, error.value) for error in report.errors} == {
        ("code", "acme"), ("country", "Britain"), ("currency", "pounds"), ("email", "not-an-email"),
        ("payment_terms", "monthly"), ("is_active", "maybe"),
    }  # fmt: skip
    assert all(error.row == 2 for error in report.errors)
    assert report.failed == 1 and not Buyer.objects.exists()


def test_run_import_reports_a_missing_required_value(csv_file):
    report = buyers(csv_file(lines("ACME,,,GB,GBP,,,")))
    assert error_tuples(report) == [(2, "name", "", "This field is required.")]


def test_run_import_reports_duplicate_keys_on_the_later_row(csv_file):
    report = buyers(csv_file(lines(ACME, BOLT, ACME.replace("Acme Apparel,", "Other,"))))

    assert error_tuples(report) == [(4, "code", "ACME", "Duplicate key 'ACME': row 2 has it too.")]
    assert (report.created, report.failed) == (2, 1)
    assert Buyer.objects.get(code="ACME").name == "Acme Apparel"


def test_run_import_reports_a_row_with_more_values_than_the_header(csv_file):
    report = buyers(csv_file(lines(ACME, BOLT + ",stray")))
    [error] = report.errors
    assert (error.row, error.value) == (3, "stray") and "quoting" in error.message
    assert report.created == 1


def test_run_import_refuses_a_file_over_the_row_limit(csv_file, settings):
    report = buyers(csv_file(lines(ACME, BOLT, CAFE)), max_rows=2)

    assert error_tuples(report) == [(0, "", "", "The file has more than 2 rows, the most one import takes: split it.")]
    assert not report.written and not Buyer.objects.exists()

    settings.IMPORT_MAX_ROWS = 3
    assert buyers(csv_file(lines(ACME, BOLT, CAFE))).created == 3


def test_run_import_reads_xlsx_merged_cells_into_every_row(xlsx_file):
    header = BUYER_HEADER.split(",")
    path = xlsx_file(
        [
            header,
            ["ACME", "Acme", None, "GB", "GBP", None, None, True],
            ["BOLT", "Bolt", None, None, None, None, None, False],
        ],
        merge=("D2:D3", "E2:E3"),
    )
    report = buyers(path)

    assert report.ok and report.description == "XLSX, sheet 'Sheet'"
    assert list(Buyer.objects.order_by("code").values_list("code", "country", "currency", "is_active")) == [
        ("ACME", "GB", "GBP", True),
        ("BOLT", "GB", "GBP", False),
    ]


def test_run_import_reports_an_xlsx_formula_without_a_saved_value(xlsx_file):
    header = ["code", "name", "kind", "unit", "standard_cost", "reorder_level"]
    path = xlsx_file([header, ["M1", "Twill", "fabric", "m", 2.5, 100], ["M2", "Button", "trim", "pcs", 0.1, "=F2*5"]])
    report = materials(path)

    assert error_tuples(report) == [
        (3, "reorder_level", "=F2*5", "A formula without a saved value: open the workbook in Excel and save it, "
         "or paste the cells as values.")
    ]  # fmt: skip
    assert (report.created, report.failed) == (1, 1)


def test_run_import_reads_an_xlsx_formula_s_saved_value(xlsx_file):
    header = ["code", "name", "kind", "unit", "standard_cost", "reorder_level"]
    path = xlsx_file([header, ["M1", "Twill", "fabric", "m", 2.5, 100], ["M2", "Button", "trim", "pcs", 0.1, "=F2*5"]])
    report = materials(with_saved_values(path, {"=F2*5": "500"}))

    assert report.ok and report.created == 2
    assert Material.objects.get(code="M2").reorder_level == 500


def test_run_import_reads_xlsx_numbers_and_dates_as_the_serializer_expects(xlsx_file):
    header = ["code", "name", "kind", "unit", "standard_cost", "reorder_level", "is_active"]
    report = materials(xlsx_file([header, [1042, "Twill", "fabric", "m", 3.25, 12, False]]))

    assert report.ok
    material = Material.objects.get(code="1042")
    assert (material.standard_cost, material.reorder_level, material.is_active) == (Decimal("3.25"), 12, False)


# --- Modes --------------------------------------------------------------------------------


def test_run_import_strict_writes_nothing_when_a_row_fails(csv_file):
    report = buyers(csv_file(lines(ACME, BOLT, "BAD,Bad,,gb,GBP,,,")), strict=True, batch_size=1)

    assert [(error.row, error.column) for error in report.errors] == [(4, "country")]
    assert not report.written and not Buyer.objects.exists()
    assert (report.created, report.failed) == (2, 1)
    assert "Would create 2" in report.summary() and "nothing was written" in report.summary()


def test_run_import_strict_writes_a_good_file(csv_file):
    report = buyers(csv_file(lines(ACME, BOLT)), strict=True)
    assert report.ok and report.written and Buyer.objects.count() == 2


def test_run_import_dry_run_writes_nothing_and_reports_what_would_happen(csv_file):
    BuyerFactory(code="BOLT", name="Bolt Brands", company="", country="FR", currency="EUR", email="",
                 payment_terms="net_30")  # fmt: skip
    BuyerFactory(code="CAFE", name="Old name", company="", country="FR", currency="EUR", email="")

    report = buyers(csv_file(lines(ACME, BOLT, CAFE, "BAD,Bad,,gb,GBP,,,")), dry_run=True, existing="update")

    assert (report.created, report.updated, report.unchanged, report.failed) == (1, 1, 1, 1)
    assert not report.written
    assert "Would create 1, updated 1, unchanged 1" in report.summary()
    assert "Dry run: nothing was written." in report.summary()
    assert set(Buyer.objects.values_list("code", "name")) == {("BOLT", "Bolt Brands"), ("CAFE", "Old name")}


def test_run_import_twice_changes_nothing_the_second_time(csv_file):
    path = csv_file(lines(ACME, BOLT, CAFE))
    buyers(path)
    history = Buyer.history.count()

    again = buyers(path)

    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert "Nothing changed." in again.summary()
    assert Buyer.history.count() == history


def test_run_import_compare_reports_rows_that_differ_from_the_database(csv_file):
    BuyerFactory(code="ACME", name="Acme (old)", company="Acme Apparel Ltd", email="orders@acme.example")

    report = buyers(csv_file(lines(ACME, BOLT)))

    assert error_tuples(report) == [
        (2, "name", "Acme Apparel", "Differs from the existing buyer ('Acme (old)'): use --update to change it or "
         "--skip-existing to leave it."),
    ]  # fmt: skip
    assert (report.created, report.updated, report.failed) == (1, 0, 1)
    assert Buyer.objects.get(code="ACME").name == "Acme (old)"


def test_run_import_update_changes_differing_rows_in_the_audit_trail(csv_file):
    BuyerFactory(code="ACME", name="Acme (old)", company="", email="", payment_terms="net_90")
    BuyerFactory(code="BOLT", name="Bolt Brands", company="", country="FR", currency="EUR", email="",
                 payment_terms="net_30")  # fmt: skip

    report = buyers(csv_file(lines(ACME, BOLT)), existing="update")

    assert report.ok and (report.updated, report.unchanged) == (1, 1)
    acme = Buyer.objects.get(code="ACME")
    assert (acme.name, acme.company, acme.payment_terms) == ("Acme Apparel", "Acme Apparel Ltd", "net_60")
    assert [h.history_type for h in acme.history.all()] == ["~", "+"]
    assert Buyer.objects.get(code="BOLT").history.count() == 1


def test_run_import_update_keeps_values_of_empty_cells_that_cannot_be_blank(csv_file):
    BuyerFactory(code="CAFE", name="Café Noël", company="", country="FR", currency="EUR", email="", is_active=False)

    report = buyers(csv_file(lines(CAFE)), existing="update")

    assert report.ok and report.unchanged == 1
    assert Buyer.objects.get(code="CAFE").is_active is False


def test_run_import_skip_existing_leaves_rows_whose_key_exists(csv_file):
    BuyerFactory(code="ACME", name="Acme (old)")

    report = buyers(csv_file(lines(ACME, BOLT)), existing="skip")

    assert report.ok and (report.created, report.skipped) == (1, 1)
    assert Buyer.objects.get(code="ACME").name == "Acme (old)"


def test_report_write_errors_csv_and_as_dict(csv_file):
    report = buyers(csv_file(lines(ACME, "BAD,Bad,,gb,GBP,,,")))
    target = io.BytesIO()

    report.write_errors_csv(target)

    assert not target.closed
    rows = list(csv.reader(io.StringIO(target.getvalue().decode("utf-8-sig"))))
    assert rows == [
        ["row", "column", "value", "message"],
        ["3", "country", "gb", "Use a two-letter ISO 3166 country code, e.g. GB."],
    ]
    data = report.as_dict()
    assert data["ok"] is False and data["created"] == 1 and data["errors"][0]["column"] == "country"
    assert "summary" in data


# --- Batches and queries ------------------------------------------------------------------


def test_run_import_loads_1000_buyers_in_a_few_queries_per_batch(csv_file, django_assert_max_num_queries):
    rows = [f"B{n:04d},Buyer {n},,GB,GBP,b{n}@example.com,net_60,true" for n in range(1000)]
    path = csv_file(lines(*rows))
    seen = []

    # Per batch of 250: SELECT the existing rows, INSERT, INSERT the history rows, and the batch's
    # SAVEPOINT and RELEASE (a transaction's BEGIN and COMMIT outside the test's own).
    with django_assert_max_num_queries(4 * 5):
        report = buyers(path, batch_size=250, on_start=seen.append, progress=seen.append)

    assert report.created == 1000 and Buyer.objects.count() == 1000
    assert seen == [1000, 250, 250, 250, 250]

    changed = [row.replace(",net_60,", ",net_30,") for row in rows]
    with django_assert_max_num_queries(4 * 5):  # an UPDATE instead of the INSERT
        report = buyers(csv_file(lines(*changed), name="changed.csv"), batch_size=250, existing="update")
    assert report.updated == 1000
    assert Buyer.objects.filter(payment_terms="net_30").count() == 1000


class FlakyResource(Resource):
    """Records whose key is BAD make the database refuse their batch."""

    name = "flaky"
    title = "Flaky"
    columns = (Column("code", required=True),)
    key = ("code",)

    def __init__(self):
        self.batches = []

    def load_batch(self, records, *, existing):
        self.batches.append([record.key[0] for record in records])
        if any(record.key == ("BAD",) for record in records):
            raise IntegrityError("duplicate key value violates unique constraint")
        return BatchResult(outcomes=dict.fromkeys(range(len(records)), "created"))


def test_run_import_retries_a_refused_batch_record_by_record(csv_file):
    resource = FlakyResource()
    report = run_import(resource, csv_file("code\nA\nBAD\nC\nD\n"), batch_size=3)

    assert resource.batches == [["A", "BAD", "C"], ["A"], ["BAD"], ["C"], ["D"]]
    assert (report.created, report.failed) == (3, 1)
    assert [(error.row, error.message) for error in report.errors] == [
        (3, "The database refused the row: duplicate key value violates unique constraint")
    ]


class GroupedResource(Resource):
    """Orders and their lines: rows with the same number are one record."""

    name = "grouped"
    title = "Grouped"
    columns = (Column("number", required=True), Column("item"))
    key = ("number",)
    grouped = True

    def __init__(self):
        self.records = []

    def load_batch(self, records, *, existing):
        self.records += records
        return BatchResult(outcomes=dict.fromkeys(range(len(records)), "created"))


def test_run_import_groups_rows_by_key_and_fails_a_record_with_a_bad_row(xlsx_file):
    resource = GroupedResource()
    path = xlsx_file([["number", "item"], ["O1", "a"], ["O2", "x"], ["O1", "b"], ["O2", "=1+1"], [None, "c"]])

    report = run_import(resource, path)

    assert [(record.key, [number for number, _ in record.rows]) for record in resource.records] == [(("O1",), [2, 4])]
    assert (report.created, report.failed) == (1, 2)
    assert [(error.row, error.column) for error in report.errors] == [(3, ""), (5, "item"), (6, "number")]
    assert isinstance(report.errors[0], RowError) and "row 5" in report.errors[0].message


# --- Dates (orders: the master data above has none) ----------------------------------------


def test_run_import_reads_xlsx_date_cells_and_reports_bad_dates(xlsx_file):
    from apps.orders.models import Order
    from tests.samples.factories import StyleFactory

    style = StyleFactory(code="ST-1", buyer=BuyerFactory(code="ACME"))
    header = ["buyer_code", "buyer_reference", "order_date", "ship_date", "style_code", "colour", "size", "quantity",
              "unit_price"]  # fmt: skip
    path = xlsx_file(
        [
            header,
            ["ACME", "PO-1", datetime(2026, 11, 2), datetime(2027, 2, 15), "ST-1", "Navy", "M", 100, 5.5],
            ["ACME", "PO-2", "2026-11-02", "31/02/2027", "ST-1", "Navy", "M", 100, 5.5],
            ["ACME", "PO-3", "2026-11-02", datetime(2027, 2, 15, 9, 30), "ST-1", "Navy", "M", 100, 5.5],
        ]
    )

    report = run_import(get_resource("orders"), path)

    assert [(error.row, error.column, error.value) for error in report.errors] == [
        (3, "ship_date", "31/02/2027"),
        (4, "ship_date", "2027-02-15 09:30:00"),
    ]
    assert "Date has wrong format" in report.errors[0].message
    order = Order.objects.get()
    assert (order.buyer_reference, order.order_date, order.ship_date) == ("PO-1", date(2026, 11, 2), date(2027, 2, 15))
    assert order.lines.get().style == style
