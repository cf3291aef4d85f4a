"""Every figure of every report, on a small data set worked out by hand.

Buyers ACME "Acme Apparel", ZARA "Zürich Moda".

Orders (date, status, currency: lines quantity x price = amount)
  O1  ACME 2026-01-01 confirmed     GBP: 100 x 5.00 = 500.00, 50 x 4.50 = 225.00  -> 150 pcs, 725.00
  O2  ACME 2026-01-31 shipped       GBP: 10 x 12.00                               -> 10 pcs, 120.00
  O3  ACME 2026-01-15 confirmed     USD: 20 x 3.25                                -> 20 pcs, 65.00
  O4  ACME 2026-02-01 closed        GBP: 30 x 2.00                                -> 30 pcs, 60.00
  O5  ACME 2026-01-20 draft         GBP: 1000 x 1.00                              -> 1000 pcs, 1000.00 (not a sale)
  O6  ACME 2026-01-21 cancelled     GBP: 500 x 2.00                               -> 500 pcs, 1000.00 (not a sale)
  O7  ZARA 2026-01-10 in_production EUR: 200 x 7.10 = 1420.00, 40 x 0.99 = 39.60 -> 240 pcs, 1459.60
  O8  ZARA 2025-12-31 confirmed     EUR: 5 x 10.00                                -> 5 pcs, 50.00 (day before range)
  O9  ZARA 2026-02-28 shipped       EUR: 7 x 3.00                                 -> 7 pcs, 21.00 (range's last day)
  O10 ZARA 2026-03-01 confirmed     EUR: 9 x 1.00                                 -> 9 pcs, 9.00 (day after range)
  Range 2026-01-01 .. 2026-02-28 (inclusive) takes O1-O7 and O9.

Samples (requested = created_at -> approved_at, in UTC, the site's time zone)
  ACME 03-01 00:00 -> 03-04 06:00 = 3.25 d;  03-02 00:00 -> 03-03 06:00 = 1.25 d;  03-01 05:00 -> 03-10 12:00 = 9.5 d
       03-10 -> 03-11 00:00 (day after the range); 03-01 -> 03-02 23:59:59 (day before the range);
       one rejected, one submitted (neither approved)
  ZARA 03-01 00:00 -> 03-03 00:00 = 2.0 d  (approved on the range's first instant)
  Range 2026-03-03 .. 2026-03-10: ACME 3 samples, avg (3.25 + 1.25 + 9.5) / 3 = 4.667 -> 4.7, min 1.25 -> 1.3
  (half up), max 9.5; ZARA 1 sample, 2.0 / 2.0 / 2.0.

Stock (warehouses W1, W2)
  FAB1 m    cost 2.5000, reorder 500:  W1 100 (received), W2 250.5 (received on PO-1) -> 350.5, short 149.5
  FAB2 m    cost 4.0000, reorder 50:   none                                       -> 0, short 50
  FAB3 m    cost 1.1000, reorder 100:  W1 100                                     -> exactly at reorder level: not short
  TRM1 pcs  cost 0.0125, reorder 1000: W1 1003                                    -> not short
  TRM2 pcs  cost 0.3333, reorder 200:  W1 5 in, 5 out (level 0: not valued), W2 10 (PO-6) -> 10, short 190
  PKG1 pcs  reorder 0 (never reported short); OLD1 inactive, reorder 10, none (left out)
  Values (on hand x cost, to cents): W1 FAB1 100 x 2.5 = 250.00, FAB3 100 x 1.1 = 110.00,
  TRM1 1003 x 0.0125 = 12.5375 -> 12.54; W2 FAB1 250.5 x 2.5 = 626.25, TRM2 10 x 0.3333 = 3.333 -> 3.33

Purchase orders (suppliers S1 "Shanghai Mills" USD, S2 "Tröpfel Trims" EUR)
  PO-1 S1 USD 2026-01-01 partially received: FAB1 400 @ 2.40 (250.5 received), FAB3 100 @ 1.05
       outstanding 149.5 x 2.40 + 100 x 1.05 = 358.80 + 105.00 = 463.80
  PO-2 S1 USD 2026-01-31 sent: TRM1 1234 @ 0.0125 -> 15.425
  PO-3 S1 EUR 2026-02-10 sent: FAB2 10 @ 4.00 -> 40.00
  PO-4 S1 USD 2026-01-15 draft, PO-5 S1 USD 2026-01-16 cancelled (not open)
  PO-6 S2 EUR 2026-01-05 received in full: TRM2 10 @ 0.30 (not open)
  PO-7 S2 EUR 2025-12-31 sent (day before), PO-9 S2 EUR 2026-03-01 sent (day after)
  PO-8 S2 EUR 2026-02-28 sent: TRM2 200 @ 0.31 -> 62.00
  Range 2026-01-01 .. 2026-02-28: S1 EUR 1 PO, 10 / 0 / 40.00;
  S1 USD 2 POs, 400 + 100 + 1234 = 1734 ordered, 250.5 received, 463.80 + 15.425 = 479.225 -> 479.23;
  S2 EUR 1 PO, 200 / 0 / 62.00.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Model

from apps.inventory.choices import Unit
from apps.inventory.services import stock_issue, stock_receive
from apps.orders.choices import OrderStatus
from apps.purchasing.choices import PurchaseOrderStatus
from apps.reports.definitions import REPORTS, Report, get_report
from apps.samples.choices import SampleStatus
from apps.samples.models import Sample
from tests.buyers.factories import BuyerFactory
from tests.inventory.factories import MaterialFactory, WarehouseFactory
from tests.orders.factories import OrderFactory, OrderLineFactory
from tests.purchasing.factories import SupplierFactory, purchase_order, receive
from tests.samples.factories import SampleFactory, StyleFactory

pytestmark = pytest.mark.django_db

D = Decimal
JAN_1, FEB_28 = datetime.date(2026, 1, 1), datetime.date(2026, 2, 28)
MAR_3, MAR_10 = datetime.date(2026, 3, 3), datetime.date(2026, 3, 10)


def at(month, day, hour=0, minute=0, second=0):
    return datetime.datetime(2026, month, day, hour, minute, second, tzinfo=datetime.UTC)


@pytest.fixture
def sales():
    acme = BuyerFactory(code="ACME", name="Acme Apparel", currency="GBP")
    zara = BuyerFactory(code="ZARA", name="Zürich Moda", currency="EUR")
    styles = {acme.pk: StyleFactory(buyer=acme), zara.pk: StyleFactory(buyer=zara)}

    def order(buyer, day, status, currency, *lines):
        made = OrderFactory(
            buyer=buyer, order_date=day, ship_date=day + datetime.timedelta(days=90), status=status, currency=currency
        )
        for quantity, price in lines:
            OrderLineFactory(order=made, style=styles[buyer.pk], quantity=quantity, unit_price=D(price))

    d = datetime.date
    order(acme, d(2026, 1, 1), OrderStatus.CONFIRMED, "GBP", (100, "5.00"), (50, "4.50"))
    order(acme, d(2026, 1, 31), OrderStatus.SHIPPED, "GBP", (10, "12.00"))
    order(acme, d(2026, 1, 15), OrderStatus.CONFIRMED, "USD", (20, "3.25"))
    order(acme, d(2026, 2, 1), OrderStatus.CLOSED, "GBP", (30, "2.00"))
    order(acme, d(2026, 1, 20), OrderStatus.DRAFT, "GBP", (1000, "1.00"))
    order(acme, d(2026, 1, 21), OrderStatus.CANCELLED, "GBP", (500, "2.00"))
    order(zara, d(2026, 1, 10), OrderStatus.IN_PRODUCTION, "EUR", (200, "7.10"), (40, "0.99"))
    order(zara, d(2025, 12, 31), OrderStatus.CONFIRMED, "EUR", (5, "10.00"))
    order(zara, d(2026, 2, 28), OrderStatus.SHIPPED, "EUR", (7, "3.00"))
    order(zara, d(2026, 3, 1), OrderStatus.CONFIRMED, "EUR", (9, "1.00"))


@pytest.fixture
def samples():
    acme = BuyerFactory(code="ACME", name="Acme Apparel")
    zara = BuyerFactory(code="ZARA", name="Zürich Moda")

    def sample(buyer, requested, status=SampleStatus.APPROVED, approved=None):
        made = SampleFactory(style=StyleFactory(buyer=buyer), status=status)
        Sample.objects.filter(pk=made.pk).update(created_at=requested, approved_at=approved)

    sample(acme, at(3, 1), approved=at(3, 4, 6))
    sample(acme, at(3, 2), approved=at(3, 3, 6))
    sample(acme, at(3, 1, 5), approved=at(3, 10, 17))
    sample(acme, at(3, 10), approved=at(3, 11))
    sample(acme, at(3, 1), approved=at(3, 2, 23, 59, 59))
    sample(acme, at(3, 4), status=SampleStatus.REJECTED)
    sample(acme, at(3, 4), status=SampleStatus.SUBMITTED)
    sample(zara, at(3, 1), approved=at(3, 3))


@pytest.fixture
def stock():
    w1, w2 = WarehouseFactory(code="W1"), WarehouseFactory(code="W2")
    m = {
        code: MaterialFactory(code=code, name=name, unit=unit, standard_cost=D(cost), reorder_level=D(reorder))
        for code, name, unit, cost, reorder in [
            ("FAB1", "Cotton twill", Unit.METRE, "2.5", "500"),
            ("FAB2", "Linen", Unit.METRE, "4", "50"),
            ("FAB3", "Poplin", Unit.METRE, "1.1", "100"),
            ("TRM1", "Button 15 mm", Unit.PIECE, "0.0125", "1000"),
            ("TRM2", "Zip 20 cm", Unit.PIECE, "0.3333", "200"),
            ("PKG1", "Polybag", Unit.PIECE, "0.02", "0"),
            ("OLD1", "Discontinued lace", Unit.METRE, "3", "10"),
        ]
    }
    m["OLD1"].is_active = False
    m["OLD1"].save()
    for code, warehouse, quantity in [
        ("FAB1", w1, "100"),
        ("FAB3", w1, "100"),
        ("TRM1", w1, "1003"),
        ("TRM2", w1, "5"),
    ]:
        stock_receive(material=m[code], warehouse=warehouse, quantity=D(quantity))
    stock_issue(material=m["TRM2"], warehouse=w1, quantity=D(5))

    s1 = SupplierFactory(code="S1", name="Shanghai Mills", currency="USD")
    s2 = SupplierFactory(code="S2", name="Tröpfel Trims", currency="EUR")

    def po(supplier, day, status, *lines, currency=""):
        return purchase_order(
            supplier=supplier,
            warehouse=w2,
            order_date=datetime.date.fromisoformat(day),
            currency=currency,
            status=status,
            lines=[(m[code], quantity, price) for code, quantity, price in lines],
        )

    sent, draft, cancelled = PurchaseOrderStatus.SENT, PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CANCELLED
    receive(po(s1, "2026-01-01", sent, ("FAB1", "400", "2.40"), ("FAB3", "100", "1.05")), {m["FAB1"]: "250.5"})
    po(s1, "2026-01-31", sent, ("TRM1", "1234", "0.0125"))
    po(s1, "2026-02-10", sent, ("FAB2", "10", "4"), currency="EUR")
    po(s1, "2026-01-15", draft, ("FAB1", "999", "2.40"))
    po(s1, "2026-01-16", cancelled, ("FAB1", "999", "2.40"))
    receive(po(s2, "2026-01-05", sent, ("TRM2", "10", "0.30")), {m["TRM2"]: "10"})
    po(s2, "2025-12-31", sent, ("TRM2", "100", "0.30"))
    po(s2, "2026-02-28", sent, ("TRM2", "200", "0.31"))
    po(s2, "2026-03-01", sent, ("TRM2", "300", "0.31"))


def run(key, date_from=None, date_to=None, *, queries):
    """The report's rows, built in one query."""
    with queries(1):
        return list(get_report(key).rows(date_from, date_to))


def test_registry_lists_the_reports_in_display_order():
    assert list(REPORTS) == [
        "sales_by_buyer_month",
        "order_book_by_status",
        "sample_turnaround",
        "inventory_valuation",
        "below_reorder_level",
        "open_purchase_orders_by_supplier",
    ]
    assert all(isinstance(report, Report) and report.key == key and report.title for key, report in REPORTS.items())
    assert [key for key, report in REPORTS.items() if not report.dated] == [
        "inventory_valuation",
        "below_reorder_level",
    ]


def test_each_report_names_a_real_permission_and_the_models_it_reads():
    for report in REPORTS.values():
        app_label, codename = report.permission.split(".")
        assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), report.key
        assert report.reads and all(issubclass(model, Model) for model in report.reads), report.key


def test_get_report_refuses_an_unknown_key():
    with pytest.raises(KeyError, match=r"Unknown report 'nope'.*sales_by_buyer_month"):
        get_report("nope")


def test_sales_by_buyer_month_counts_confirmed_to_closed_orders_in_the_range(sales, django_assert_num_queries):
    rows = run("sales_by_buyer_month", JAN_1, FEB_28, queries=django_assert_num_queries)
    assert rows == [
        ("ACME", "Acme Apparel", "2026-01", "GBP", 2, 160, D("845.00")),  # O1 + O2: 150 + 10, 725 + 120
        ("ACME", "Acme Apparel", "2026-01", "USD", 1, 20, D("65.00")),  # O3
        ("ACME", "Acme Apparel", "2026-02", "GBP", 1, 30, D("60.00")),  # O4
        ("ZARA", "Zürich Moda", "2026-01", "EUR", 1, 240, D("1459.60")),  # O7
        ("ZARA", "Zürich Moda", "2026-02", "EUR", 1, 7, D("21.00")),  # O9 on the last day
    ]
    assert len(rows[0]) == len(REPORTS["sales_by_buyer_month"].columns)


def test_sales_by_buyer_month_without_dates_takes_every_month(sales, django_assert_num_queries):
    rows = run("sales_by_buyer_month", queries=django_assert_num_queries)
    assert [row[2:] for row in rows if row[0] == "ZARA"] == [
        ("2025-12", "EUR", 1, 5, D("50.00")),
        ("2026-01", "EUR", 1, 240, D("1459.60")),
        ("2026-02", "EUR", 1, 7, D("21.00")),
        ("2026-03", "EUR", 1, 9, D("9.00")),
    ]
    # Only one end given: open on the other side.
    assert [row[2] for row in get_report("sales_by_buyer_month").rows(None, JAN_1)] == ["2026-01", "2025-12"]


def test_order_book_by_status_lists_every_status_in_workflow_order(sales, django_assert_num_queries):
    assert run("order_book_by_status", JAN_1, FEB_28, queries=django_assert_num_queries) == [
        ("Draft", "GBP", 1, 1000, D("1000.00")),  # O5
        ("Confirmed", "GBP", 1, 150, D("725.00")),  # O1, two lines
        ("Confirmed", "USD", 1, 20, D("65.00")),  # O3
        ("In production", "EUR", 1, 240, D("1459.60")),  # O7
        ("Shipped", "EUR", 1, 7, D("21.00")),  # O9
        ("Shipped", "GBP", 1, 10, D("120.00")),  # O2
        ("Closed", "GBP", 1, 30, D("60.00")),  # O4
        ("Cancelled", "GBP", 1, 500, D("1000.00")),  # O6
    ]


def test_sample_turnaround_averages_days_to_approval_per_buyer(samples, django_assert_num_queries):
    assert run("sample_turnaround", MAR_3, MAR_10, queries=django_assert_num_queries) == [
        # (3.25 + 1.25 + 9.5) / 3 = 4.667 -> 4.7; min 1.25 -> 1.3 (half up); max 9.5
        ("ACME", "Acme Apparel", 3, D("4.7"), D("1.3"), D("9.5")),
        ("ZARA", "Zürich Moda", 1, D("2.0"), D("2.0"), D("2.0")),
    ]


def test_sample_turnaround_without_dates_takes_every_approval(samples):
    # ACME adds 03-10 -> 03-11 = 1.0 d and 03-01 -> 03-02 23:59:59 = 1.99999 d:
    # (3.25 + 1.25 + 9.5 + 1.0 + 1.99999) / 5 = 3.4 ; min 1.0, max 9.5
    assert next(iter(get_report("sample_turnaround").rows(None, None))) == (
        "ACME",
        "Acme Apparel",
        5,
        D("3.4"),
        D("1.0"),
        D("9.5"),
    )


def test_inventory_valuation_values_each_level_at_standard_cost(stock, django_assert_num_queries):
    assert run("inventory_valuation", queries=django_assert_num_queries) == [
        ("W1", "FAB1", "Cotton twill", "m", D("100"), D("2.5"), D("250.00")),
        ("W1", "FAB3", "Poplin", "m", D("100"), D("1.1"), D("110.00")),
        ("W1", "TRM1", "Button 15 mm", "pcs", D("1003"), D("0.0125"), D("12.54")),  # 12.5375
        ("W2", "FAB1", "Cotton twill", "m", D("250.5"), D("2.5"), D("626.25")),  # from PO-1
        ("W2", "TRM2", "Zip 20 cm", "pcs", D("10"), D("0.3333"), D("3.33")),  # 3.333; W1's zero level left out
    ]


def test_below_reorder_level_sums_stock_over_warehouses(stock, django_assert_num_queries):
    assert run("below_reorder_level", queries=django_assert_num_queries) == [
        ("FAB1", "Cotton twill", "m", D("350.5"), D("500"), D("149.5")),  # W1 100 + W2 250.5
        ("FAB2", "Linen", "m", D("0"), D("50"), D("50")),  # no stock anywhere
        ("TRM2", "Zip 20 cm", "pcs", D("10"), D("200"), D("190")),
    ]


def test_open_purchase_orders_by_supplier_counts_sent_and_partly_received(stock, django_assert_num_queries):
    assert run("open_purchase_orders_by_supplier", JAN_1, FEB_28, queries=django_assert_num_queries) == [
        ("S1", "Shanghai Mills", "EUR", 1, D("10"), D("0"), D("40.00")),  # PO-3
        ("S1", "Shanghai Mills", "USD", 2, D("1734"), D("250.5"), D("479.23")),  # PO-1 + PO-2: 463.80 + 15.425
        ("S2", "Tröpfel Trims", "EUR", 1, D("200"), D("0"), D("62.00")),  # PO-8 on the last day
    ]


def test_open_purchase_orders_without_dates_add_the_orders_outside_the_range(stock):
    # S2 adds PO-7 (100 x 0.30 = 30.00) and PO-9 (300 x 0.31 = 93.00): 3 POs, 600 ordered, 185.00.
    assert list(get_report("open_purchase_orders_by_supplier").rows(None, None))[2] == (
        "S2",
        "Tröpfel Trims",
        "EUR",
        3,
        D("600"),
        D("0"),
        D("185.00"),
    )


def test_snapshot_reports_ignore_dates(stock):
    for key in ("inventory_valuation", "below_reorder_level"):
        report = get_report(key)
        assert list(report.rows(JAN_1, JAN_1)) == list(report.rows(None, None))


def test_every_row_matches_its_columns(sales, samples, stock):
    for report in REPORTS.values():
        rows = list(report.rows(None, None))
        assert rows, report.key
        assert {len(row) for row in rows} == {len(report.columns)}, report.key


def test_reports_on_an_empty_database_are_empty(django_assert_num_queries):
    for report in REPORTS.values():
        with django_assert_num_queries(1):
            assert list(report.rows(JAN_1, FEB_28)) == []
