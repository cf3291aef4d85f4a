"""The orders import (one row per line, grouped by buyer and PO number) and export."""

import csv
import datetime
import io
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F, Sum
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from apps.core.imports.base import get_resource
from apps.core.imports.engine import run_import
from apps.orders.choices import OrderStatus
from apps.orders.models import Order, OrderLine
from tests.buyers.factories import BuyerFactory
from tests.helpers import write_csv
from tests.orders.factories import SIZES, order_with_lines
from tests.samples.factories import SizeRangeFactory, StyleFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Buyer Code", "Buyer Reference", "Order Date", "Ship Date", "Currency", "Notes",
    "Style Code", "Colour", "Size", "Quantity", "Unit Price",
]  # fmt: skip
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _file(tmp_path, rows, *, header=HEADER, name="orders.csv") -> Path:
    return write_csv(tmp_path / name, header, rows)


def _import(path, **options):
    return run_import(get_resource("orders"), path, **options)


def _line(buyer, reference, style, size, quantity=100, price="5.00", **header):
    return [
        buyer.code,
        reference,
        header.get("order_date", "2026-11-01"),
        header.get("ship_date", "2027-02-15"),
        header.get("currency", ""),
        header.get("notes", ""),
        style.code,
        header.get("colour", "Navy"),
        size,
        quantity,
        price,
    ]


@pytest.fixture
def buyer():
    return BuyerFactory(code="NEXT", currency="GBP")


@pytest.fixture
def styles(buyer):
    return [StyleFactory(code=f"NX-{n}", buyer=buyer) for n in range(2)]


def _totals_match() -> bool:
    """Every order's total is the sum of its lines."""
    orders = Order.objects.annotate(lines_total=Sum("lines__amount"))
    return not orders.exclude(total=F("lines_total")).exists()


def test_orders_import_creates_draft_orders_with_lines_and_totals(tmp_path, buyer, styles):
    path = _file(
        tmp_path,
        [
            _line(buyer, "PO-1", styles[0], "S", 100, "5.00", notes="By sea"),
            _line(buyer, "PO-1", styles[0], "M", 50, "5.50"),
            _line(buyer, "PO-1", styles[1], "M", 10, "7.25"),
            _line(buyer, "PO-2", styles[1], "L", 1, "9.99", currency="EUR"),
        ],
    )

    report = _import(path)

    assert report.ok, report.errors
    assert (report.created, report.failed, report.rows_read) == (2, 0, 4)
    first, second = Order.objects.order_by("number")
    assert first.number.startswith("SO") and int(second.number[2:]) == int(first.number[2:]) + 1
    assert (first.buyer_reference, first.status, first.currency, first.notes) == (
        "PO-1",
        OrderStatus.DRAFT,
        "GBP",
        "By sea",
    )
    assert first.total == Decimal("847.50")
    assert second.currency == "EUR" and second.total == Decimal("9.99")
    assert first.lines.count() == 3
    assert _totals_match()
    # In the audit trail like any other write.
    assert Order.history.filter(history_type="+").count() == 2
    assert OrderLine.history.filter(history_type="+").count() == 4


def _bulk_file(tmp_path, orders: int, name: str) -> Path:
    """`orders` orders of 10 lines each, spread over 5 buyers with 2 styles each."""
    buyers = [BuyerFactory(code=f"BULK{n}") for n in range(5)]
    styles = {buyer.pk: [StyleFactory(code=f"{buyer.code}-ST{n}", buyer=buyer) for n in range(2)] for buyer in buyers}
    rows = []
    for number in range(orders):
        buyer = buyers[number % 5]
        for index in range(10):
            style, size = styles[buyer.pk][index % 2], SIZES[index // 2]
            rows.append(_line(buyer, f"{name}-{number:05d}", style, size, 10 + index, "3.25"))
    return _file(tmp_path, rows, name=f"{name}.csv")


def test_orders_import_10000_lines_in_a_bounded_number_of_queries(tmp_path):
    """1,000 lines and 10,000 lines (one batch each) take the same number of queries: none per row."""
    counts, seconds = [], []
    for orders, name in ((100, "small"), (1_000, "large")):
        path = _bulk_file(tmp_path, orders, name)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            report = _import(path, batch_size=1_000)
        seconds.append(time.perf_counter() - started)
        assert report.ok, report.errors[:5]
        assert report.created == orders and report.rows_read == orders * 10
        counts.append(len(queries))
    print(f"\nqueries for 1,000 / 10,000 lines: {counts}; seconds: {[round(s, 2) for s in seconds]}")
    assert counts[0] == counts[1], counts
    # 3 of them plan the new orders' T&A calendars (apps.orders.milestones).
    assert counts[1] <= 18, [query["sql"][:120] for query in queries.captured_queries]
    assert OrderLine.objects.count() == 11_000
    assert _totals_match()

    # The same 10,000 lines again: all unchanged, nothing written, still no per-row queries.
    numbers = list(Order.objects.order_by("pk").values_list("number", flat=True))
    history = OrderLine.history.count()
    with CaptureQueriesContext(connection) as queries:
        again = _import(tmp_path / "large.csv", batch_size=1_000)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 1_000, 0)
    assert not again.changed and "Nothing changed" in again.summary()
    assert len(queries) <= 8
    assert list(Order.objects.order_by("pk").values_list("number", flat=True)) == numbers
    assert OrderLine.history.count() == history


def _rewrite(path: Path, change) -> None:
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        change(row)
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_orders_import_update_replaces_lines_in_a_bounded_number_of_queries(tmp_path):
    """Replacing the lines of 100 or of 1,000 orders (10 each) takes the same statements."""
    counts = []
    for orders, name in ((100, "small"), (1_000, "large")):
        path = _bulk_file(tmp_path, orders, name)
        _import(path, batch_size=1_000)
        _rewrite(path, lambda row: row.__setitem__(9, str(int(row[9]) + 1)))
        with CaptureQueriesContext(connection) as queries:
            report = _import(path, batch_size=1_000, existing="update")
        assert report.updated == orders
        counts.append(len(queries))
    print(f"\nqueries replacing the lines of 100 / 1,000 orders: {counts}")
    assert counts[0] == counts[1] <= 15, counts
    assert OrderLine.objects.count() == 11_000 and _totals_match()


def test_orders_import_batches_cost_the_same_each(tmp_path):
    """Ten batches of 100 orders cost ten times one batch's queries, whatever the lines per order."""
    path = _bulk_file(tmp_path, 200, "batches")
    with CaptureQueriesContext(connection) as queries:
        report = _import(path, batch_size=20)
    assert report.created == 200
    assert len(queries) <= 10 * 18  # as in one batch of test_orders_import_10000_lines_in_a_bounded_number_of_queries


def test_orders_import_unknown_buyer_and_style_are_row_errors(tmp_path, buyer, styles):
    path = _file(
        tmp_path,
        [
            ["NOBODY", "PO-1", "2026-11-01", "2027-02-15", "", "", styles[0].code, "Navy", "M", 10, "1.00"],
            _line(buyer, "PO-2", styles[0], "M"),
            [buyer.code, "PO-2", "2026-11-01", "2027-02-15", "", "", "NO-SUCH-STYLE", "Navy", "L", 10, "1.00"],
            _line(buyer, "PO-3", styles[1], "M"),
        ],
    )

    report = _import(path)

    errors = {(error.row, error.column, error.value): error.message for error in report.errors}
    assert errors == {
        (2, "buyer_code", "NOBODY"): "Unknown buyer 'NOBODY'.",
        (4, "style_code", "NO-SUCH-STYLE"): "Unknown style 'NO-SUCH-STYLE'.",
    }
    assert (report.created, report.failed) == (1, 2)
    assert list(Order.objects.values_list("buyer_reference", flat=True)) == ["PO-3"]


def test_orders_import_bad_dates_and_numbers_are_row_errors(tmp_path, buyer, styles):
    path = _file(
        tmp_path,
        [
            _line(buyer, "PO-1", styles[0], "M", ship_date="15/02/2027x"),
            _line(buyer, "PO-2", styles[0], "M", quantity="ten"),
            _line(buyer, "PO-3", styles[0], "M", price="-1"),
            _line(buyer, "PO-4", styles[0], "M", quantity=0),
            _line(buyer, "PO-5", styles[0], "M", order_date="2027-03-01", ship_date="2027-02-01"),
        ],
    )

    report = _import(path)

    found = {(error.row, error.column, error.value) for error in report.errors}
    assert found == {
        (2, "ship_date", "15/02/2027x"),
        (3, "quantity", "ten"),
        (4, "unit_price", "-1"),
        (5, "quantity", "0"),
        (6, "ship_date", "2027-02-01"),
    }
    assert "Date has wrong format" in next(e.message for e in report.errors if e.row == 2)
    assert report.failed == 5 and not Order.objects.exists()


def test_orders_import_refuses_a_style_of_another_buyer(tmp_path, buyer, styles):
    other = StyleFactory(code="OTHER-1")
    path = _file(tmp_path, [_line(buyer, "PO-1", styles[0], "M"), _line(buyer, "PO-1", other, "M")])

    report = _import(path)

    assert [(e.row, e.column, e.value, e.message) for e in report.errors] == [
        (3, "style_code", "OTHER-1", "Style OTHER-1 belongs to another buyer.")
    ]
    assert not Order.objects.exists()


def test_orders_import_refuses_the_same_sku_twice_and_an_inactive_buyer(tmp_path, buyer, styles):
    idle = BuyerFactory(code="IDLE", is_active=False)
    idle_style = StyleFactory(code="IDLE-1", buyer=idle)
    path = _file(
        tmp_path,
        [
            _line(buyer, "PO-1", styles[0], "M"),
            _line(buyer, "PO-1", styles[0], "M", quantity=5),
            _line(idle, "PO-9", idle_style, "M"),
        ],
    )

    report = _import(path)

    assert {(e.row, e.column, e.message) for e in report.errors} == {
        (3, "size", "NX-0 Navy/M appears twice."),
        (4, "buyer_code", "Buyer IDLE is inactive."),
    }


def test_orders_import_takes_only_the_styles_colourways_and_sizes(tmp_path, buyer, styles):
    bare = StyleFactory(code="NX-BARE", buyer=buyer, size_range=None)
    path = _file(
        tmp_path,
        [
            _line(buyer, "PO-1", styles[0], "m", colour="navy"),  # respelt as the style spells them
            _line(buyer, "PO-2", styles[0], "M", colour="Teal"),
            _line(buyer, "PO-2", styles[0], "XXXL"),
            _line(buyer, "PO-3", bare, "M"),
        ],
    )

    report = _import(path)

    assert {(e.row, e.column, e.value, e.message) for e in report.errors} == {
        (3, "colour", "Teal", "Teal is not a colourway of NX-0 (Navy, White, Black, Red)."),
        (4, "size", "XXXL", "Size XXXL is not in NX-0's size range (XS, S, M, L, XL, XXL)."),
        (5, "style_code", "NX-BARE", "Style NX-BARE has no size range; set one before taking orders."),
    }
    assert (report.created, report.failed) == (1, 2)
    assert list(OrderLine.objects.values_list("colour", "size")) == [("Navy", "M")]


def test_orders_import_refuses_a_group_whose_header_values_disagree(tmp_path, buyer, styles):
    path = _file(
        tmp_path,
        [
            _line(buyer, "PO-1", styles[0], "S"),
            _line(buyer, "PO-1", styles[0], "M", ship_date=""),  # empty: the first row's value
            _line(buyer, "PO-1", styles[0], "L", ship_date="2027-03-01"),
        ],
    )

    report = _import(path)

    assert [(e.row, e.column, e.value) for e in report.errors] == [(4, "ship_date", "2027-03-01")]
    assert "Differs from row 2 (2027-02-15)" in report.errors[0].message
    assert report.failed == 1 and not Order.objects.exists()


def test_orders_import_twice_changes_nothing_the_second_time(tmp_path, buyer, styles):
    path = _file(tmp_path, [_line(buyer, "PO-1", styles[0], "M"), _line(buyer, "PO-2", styles[1], "L")])
    assert _import(path).created == 2
    before = (list(Order.objects.values_list("number", "total", "updated_at")), Order.history.count())

    report = _import(path)

    assert (report.created, report.updated, report.unchanged, report.failed) == (0, 0, 2, 0)
    assert report.ok and not report.changed and "Nothing changed" in report.summary()
    assert (list(Order.objects.values_list("number", "total", "updated_at")), Order.history.count()) == before


def test_orders_import_changed_order_needs_update_or_skip(tmp_path, buyer, styles):
    assert _import(_file(tmp_path, [_line(buyer, "PO-1", styles[0], "M", 100)])).created == 1
    changed = _file(
        tmp_path,
        [_line(buyer, "PO-1", styles[0], "M", 120), _line(buyer, "PO-1", styles[1], "S", 10, "2.00")],
        name="changed.csv",
    )

    compared = _import(changed)
    assert compared.failed == 1 and "use --update" in compared.errors[0].message
    assert _import(changed, existing="skip").skipped == 1
    order = Order.objects.get()
    assert order.total == Decimal("500.00")

    updated = _import(changed, existing="update")

    assert updated.updated == 1 and updated.ok
    order.refresh_from_db()
    assert sorted(order.lines.values_list("size", "quantity")) == [("M", 120), ("S", 10)]
    assert order.total == Decimal("620.00") and order.status == OrderStatus.DRAFT
    assert OrderLine.history.filter(history_type="-").count() == 1
    assert _import(changed, existing="update").unchanged == 1


def test_orders_import_update_refused_once_production_started(tmp_path, buyer, styles):
    order = order_with_lines(lines=1, buyer=buyer, buyer_reference="PO-7", status=OrderStatus.IN_PRODUCTION)
    path = _file(tmp_path, [_line(buyer, "PO-7", styles[0], "XL", 5)])

    report = _import(path, existing="update")

    assert report.failed == 1
    assert report.errors[0].message == f"Order {order.number} is in_production; it can no longer change."
    assert order.lines.count() == 1


def test_orders_import_strict_writes_nothing_when_one_order_fails(tmp_path, buyer, styles):
    path = _file(
        tmp_path,
        [_line(buyer, "PO-1", styles[0], "M"), _line(buyer, "PO-2", styles[0], "M", quantity="x")],
    )

    report = _import(path, strict=True)

    assert (report.created, report.failed) == (1, 1) and not report.written
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    assert "Strict mode: nothing was written" in report.summary()


def test_orders_import_dry_run_writes_nothing(tmp_path, buyer, styles):
    report = _import(_file(tmp_path, [_line(buyer, "PO-1", styles[0], "M")]), dry_run=True)

    assert report.created == 1 and not report.written
    assert not Order.objects.exists()


def test_orders_export_imports_back_unchanged(tmp_path, buyer, styles):
    _import(
        _file(
            tmp_path,
            [
                _line(buyer, "PO-1", styles[0], "M", 3, "1.10", notes="Hangers, not folded"),
                _line(buyer, "PO-1", styles[1], "M", 4, "2.20"),
                _line(buyer, "PO-2", styles[1], "L", 5, "3.30"),
            ],
        )
    )
    resource = get_resource("orders")

    rows = list(resource.export_rows(resource.export_queryset({"buyer": str(buyer.pk)})))

    assert len(rows) == 3
    assert rows[0] == [
        "NEXT", "PO-1", datetime.date(2026, 11, 1), datetime.date(2027, 2, 15), "GBP", "Hangers, not folded",
        "NX-0", "Navy", "M", 3, Decimal("1.10"),
    ]  # fmt: skip
    assert not list(resource.export_queryset(QueryDict("status=confirmed")))
    with pytest.raises(ValueError):
        resource.export_queryset(QueryDict("status=nonsense"))
    report = _import(_file(tmp_path, rows, header=[column.name for column in resource.columns], name="export.csv"))
    assert (report.unchanged, report.failed) == (2, 0)


def test_orders_import_reads_xlsx_with_dates_and_numbers(tmp_path, buyer, styles):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(
        [buyer.code, 4411, datetime.datetime(2026, 11, 1), datetime.date(2027, 2, 15), None, None,
         styles[0].code, "Navy", "M", 120, 6.8]
    )  # fmt: skip
    sheet.append([buyer.code, 4411, None, None, None, None, styles[1].code, "Navy", "L", 60.0, 7])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / "orders.xlsx"
    path.write_bytes(buffer.getvalue())

    report = _import(path)

    assert report.ok, report.errors
    order = Order.objects.get()
    assert (order.buyer_reference, order.order_date, order.total) == (
        "4411",
        datetime.date(2026, 11, 1),
        Decimal("1236.00"),
    )


def _demo_codes():
    """The buyers and styles docs/examples/orders.* name, with the colourways and size ranges `make run`'s
    demo data gives them."""
    gbp = BuyerFactory(code="B00047", currency="GBP")
    usd = BuyerFactory(code="B00025", currency="USD")
    uk = SizeRangeFactory(code="UK6-18", sizes=["6", "8", "10", "12", "14", "16", "18"])
    StyleFactory(code="ST00004", buyer=gbp, colourways=["Khaki", "Sky", "Charcoal"])
    StyleFactory(code="ST00006", buyer=gbp, size_range=uk, colourways=["Navy", "Olive", "White", "Khaki", "Pink"])
    StyleFactory(code="ST00003", buyer=usd, colourways=["Pink", "Red", "Ecru", "Stone", "Navy"])


@pytest.mark.parametrize("name", ["orders.csv", "orders.xlsx"])
def test_orders_example_files_load(name):
    _demo_codes()

    report = _import(EXAMPLES / name)

    assert report.ok, report.errors
    assert report.created == 3 and _totals_match()
    assert _import(EXAMPLES / name).unchanged == 3


def test_demo_orders_export_and_import_back_unchanged(tmp_path):
    call_command("generate_data", scale="small", seed=7)
    resource = get_resource("orders")
    rows = list(resource.export_rows(resource.export_queryset(QueryDict())))

    report = _import(_file(tmp_path, rows, header=[column.name for column in resource.columns], name="demo.csv"))

    assert (report.unchanged, report.failed) == (Order.objects.count(), 0), report.summary()
