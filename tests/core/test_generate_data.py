import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from apps.buyers import sample_data as buyer_data
from apps.buyers.models import Buyer
from apps.core import bulk
from apps.inventory import sample_data as inventory_data
from apps.inventory.models import Material, StockLevel, StockMovement, Warehouse
from apps.inventory.services import stock_issue
from apps.orders import sample_data as order_data
from apps.orders.models import Order, OrderLine
from apps.orders.services import order_create, order_lines_check
from apps.purchasing import sample_data as purchasing_data
from apps.purchasing.choices import PurchaseOrderStatus
from apps.purchasing.models import GoodsReceipt, GoodsReceiptLine, PurchaseOrder, PurchaseOrderLine, Supplier
from apps.purchasing.services import purchase_order_create, purchase_order_receive, purchase_order_transition
from apps.samples import sample_data as sample_data_module
from apps.samples.choices import SampleStatus, SampleType
from apps.samples.models import Colourway, Sample, SizeRange, Style, StyleMaterial
from apps.samples.services import BomChoices, sample_request

pytestmark = pytest.mark.django_db

BUSINESS_APPS = ("buyers", "inventory", "samples", "orders", "purchasing")


def test_generate_data_small_is_consistent_and_adds_nothing_on_rerun(capsys):
    call_command("generate_data", scale="small", seed=7)
    counts = (
        Buyer.objects.count(),
        Sample.objects.count(),
        Order.objects.count(),
        PurchaseOrder.objects.count(),
        StockMovement.objects.count(),
    )
    assert counts[:4] == (50, 60, 40, 10) and counts[4] > 0

    # Every order's total is the sum of its lines; every level equals its ledger.
    assert not Order.objects.annotate(lines_total=Sum("lines__amount")).exclude(total=F("lines_total")).exists()
    for level in StockLevel.objects.all():
        ledger = StockMovement.objects.filter(material=level.material_id, warehouse=level.warehouse_id)
        assert ledger.aggregate(total=Sum("quantity"))["total"] == level.on_hand
    _assert_apparel_rules()

    call_command("generate_data", scale="small", seed=7)
    assert "purchasing: 0 rows created" in capsys.readouterr().out
    assert (
        Buyer.objects.count(),
        Sample.objects.count(),
        Order.objects.count(),
        PurchaseOrder.objects.count(),
        StockMovement.objects.count(),
    ) == counts


def test_generate_data_bulk_path_loads_the_scale_and_adds_nothing_on_rerun(capsys):
    call_command("generate_data", scale="tiny", seed=3)

    warehouses, materials, movements = inventory_data.COUNTS["tiny"]
    styles, samples = sample_data_module.COUNTS["tiny"]
    suppliers, purchase_orders = purchasing_data.COUNTS["tiny"]
    counts = {
        Buyer: buyer_data.COUNTS["tiny"],
        Warehouse: warehouses,
        Material: materials,
        StockMovement: movements,
        SizeRange: len(sample_data_module.SIZE_RANGES),
        Style: styles,
        Sample: samples,
        Order: order_data.COUNTS["tiny"],
        OrderLine: 4 * order_data.COUNTS["tiny"],  # four lines per order on average, exactly
        Supplier: suppliers,
        PurchaseOrder: purchase_orders,
    }
    assert {model: model.objects.count() for model in counts} == counts
    assert StyleMaterial.objects.filter(colour="").count() == 3 * styles  # a fabric and two trims for all colourways
    assert 2 * styles <= Colourway.objects.count() <= 5 * styles
    rows = _row_counts()
    out = capsys.readouterr().out
    assert f"orders: {Order.objects.count() + OrderLine.objects.count()} rows created" in out

    call_command("generate_data", scale="tiny", seed=3)
    out = capsys.readouterr().out
    assert all(f"{label}: 0 rows created" in out for label in BUSINESS_APPS), out
    assert _row_counts() == rows


def test_generate_data_bulk_path_keeps_the_business_rules():
    call_command("generate_data", scale="tiny", seed=3)

    # Order totals are the sums of their (generated) line amounts; ship dates follow order dates.
    assert not Order.objects.annotate(lines_total=Sum("lines__amount")).exclude(total=F("lines_total")).exists()
    assert not Order.objects.filter(ship_date__lt=F("order_date")).exists()
    assert not OrderLine.objects.exclude(style__buyer=F("order__buyer")).exists()
    _assert_apparel_rules()

    # The ledger: running balances in id order, never below zero, ending at the stock levels.
    balances: dict[tuple[int, int], Decimal] = {}
    previous_at = None
    for movement in StockMovement.objects.order_by("id"):
        pair = (movement.material_id, movement.warehouse_id)
        balances[pair] = balances.get(pair, Decimal(0)) + movement.quantity
        assert movement.balance_after == balances[pair] >= 0, movement.pk
        assert previous_at is None or movement.created_at >= previous_at
        previous_at = movement.created_at
    assert {(level.material_id, level.warehouse_id): level.on_hand for level in StockLevel.objects.all()} == balances

    # Sample timestamps match their status.
    for sample in Sample.objects.all():
        assert (sample.submitted_at is not None) == (
            sample.status in {SampleStatus.SUBMITTED, SampleStatus.APPROVED, SampleStatus.REJECTED}
        )
        assert (sample.approved_at is not None) == (sample.status == SampleStatus.APPROVED)
        assert (sample.rejected_at is not None) == (sample.status == SampleStatus.REJECTED)
        assert sample.buyer_id == sample.style.buyer_id

    # Purchase orders: received within ordered, receipts explain the received quantities and the
    # ledger's goods receipts, statuses follow what arrived, totals are the lines.
    assert not PurchaseOrderLine.objects.filter(received_quantity__gt=F("quantity")).exists()
    for line in PurchaseOrderLine.objects.all():
        received = GoodsReceiptLine.objects.filter(purchase_order_line=line).aggregate(total=Sum("quantity"))["total"]
        assert (received or 0) == line.received_quantity
    receipt_lines = sorted(
        (line.receipt_id, line.purchase_order_line.material_id, line.quantity)
        for line in GoodsReceiptLine.objects.select_related("purchase_order_line")
    )
    ledger_receipts = sorted(
        StockMovement.objects.filter(reference_type="goods_receipt").values_list(
            "reference_id", "material_id", "quantity"
        )
    )
    assert receipt_lines == ledger_receipts and receipt_lines
    for order in PurchaseOrder.objects.prefetch_related("lines"):
        ordered = sum(line.quantity for line in order.lines.all())
        received = sum(line.received_quantity for line in order.lines.all())
        assert order.total == sum(line.quantity * line.unit_price for line in order.lines.all())
        expected = {
            PurchaseOrderStatus.RECEIVED: received == ordered,
            PurchaseOrderStatus.PARTIALLY_RECEIVED: 0 < received < ordered,
        }.get(order.status, received == 0)
        assert expected, (order.number, order.status, received, ordered)

    # Planner statistics are fresh: estimated counts read pg_class.reltuples.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'orders_orderline'::regclass")
        assert cursor.fetchone()[0] == OrderLine.objects.count()


def test_generate_data_bulk_path_leaves_sequences_past_what_it_used():
    call_command("generate_data", scale="tiny", seed=3)
    numbers = {
        "orders": Order.objects.aggregate(last=Max("number"))["last"],
        "samples": Sample.objects.aggregate(last=Max("number"))["last"],
        "purchasing": PurchaseOrder.objects.aggregate(last=Max("number"))["last"],
    }

    style = Style.objects.filter(buyer__is_active=True).select_related("buyer").first()
    order = order_create(
        buyer=style.buyer,
        ship_date=timezone.localdate() + timedelta(days=60),
        lines=[{"style": style, "colour": "Navy", "size": "M", "quantity": 10, "unit_price": Decimal("5.00")}],
    )
    sample = sample_request(style=style, type=SampleType.PROTO)
    line = PurchaseOrderLine.objects.select_related("purchase_order__supplier", "purchase_order__warehouse").first()
    purchase_order = purchase_order_create(
        supplier=line.purchase_order.supplier,
        warehouse=line.purchase_order.warehouse,
        lines=[{"material": line.material, "quantity": Decimal(100), "unit_price": line.unit_price}],
    )
    purchase_order = purchase_order_transition(purchase_order=purchase_order, status=PurchaseOrderStatus.SENT)
    receipt = purchase_order_receive(
        purchase_order=purchase_order, lines=[{"line": purchase_order.lines.get(), "quantity": Decimal(40)}]
    )
    assert order.number > numbers["orders"]
    assert sample.number > numbers["samples"]
    assert purchase_order.number > numbers["purchasing"]
    assert receipt.pk > GoodsReceipt.objects.exclude(pk=receipt.pk).aggregate(last=Max("pk"))["last"]

    # The services carry on from the generated levels: all of a level can go, then nothing more.
    level = StockLevel.objects.filter(on_hand__gt=0).select_related("material", "warehouse").first()
    movement = stock_issue(material=level.material, warehouse=level.warehouse, quantity=level.on_hand)
    assert movement.balance_after == 0
    with pytest.raises(ValidationError, match="on hand"):
        stock_issue(material=level.material, warehouse=level.warehouse, quantity=Decimal(1))


def test_generate_data_bulk_path_is_deterministic_for_a_seed():
    _truncate_business_tables()  # ids restart at 1 for every run compared (earlier tests drew from the sequences)
    call_command("generate_data", scale="tiny", seed=5)
    first = _fingerprint()
    _truncate_business_tables()
    call_command("generate_data", scale="tiny", seed=5)
    assert _fingerprint() == first
    _truncate_business_tables()
    call_command("generate_data", scale="tiny", seed=6)
    assert _fingerprint() != first


def test_bulk_load_refuses_rows_pointing_at_no_row():
    columns = ["material_id", "warehouse_id", "on_hand", "updated_at"]
    with (
        pytest.raises(IntegrityError, match=r"inventory_stocklevel\.material_id"),
        transaction.atomic(),
        bulk.Load() as load,
    ):
        assert load.may_skip_triggers  # the tests' role is a superuser, like the embedded server's
        load.copy(StockLevel, columns, [(-1, -1, 0, "2026-01-01")])


def test_bulk_text_helpers():
    assert bulk.fixed(1234, 2) == "12.34" and bulk.fixed(-5, 3) == "-0.005"
    assert bulk.timestamp_text(86_400 + 3_661) == "1970-01-02 01:01:01+00"
    times = list(bulk.spread(random.Random(1), 1_000))
    assert times == sorted(times) and times[0] >= bulk.START and times[-1] < bulk.END


def _assert_apparel_rules() -> None:
    """Every style has a size range and 2-5 colourways; every order passes the services' line rules (its
    lines in its styles' colourways and sizes, no SKU twice); the bills are graded as the services would
    accept them, some per size and some per colourway."""
    styles = Style.objects.with_specs()
    assert all(style.size_range and 2 <= len(style.colourways.all()) <= 5 for style in styles)
    for order in Order.objects.prefetch_related("lines"):
        lines = list(order.lines.all())
        spelt = [(line.colour, line.size) for line in lines]
        assert order_lines_check(buyer_id=order.buyer_id, lines=lines) == {}, order.number
        assert [(line.colour, line.size) for line in lines] == spelt  # already as the styles spell them
    graded = colour_specific = 0
    for style in styles.prefetch_related("materials"):
        choices = BomChoices(size_range=style.size_range, colours=tuple(c.name for c in style.colourways.all()))
        for line in style.materials.all():
            cleaned = choices.clean_line(colour=line.colour, size_consumption=line.size_consumption)
            assert cleaned == (line.colour, line.size_consumption), line.pk
            graded += bool(line.size_consumption)
            colour_specific += bool(line.colour)
    assert graded and colour_specific


def _business_models():
    return [model for label in BUSINESS_APPS for model in apps.get_app_config(label).get_models()]


def _row_counts() -> dict:
    return {model.__name__: model.objects.count() for model in _business_models()}


def _fingerprint() -> dict[str, str]:
    """An md5 per business table over its rows in id order; document numbers left out, as the sequences
    behind them are not reset between the runs compared."""
    digests = {}
    with connection.cursor() as cursor:
        for model in _business_models():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg((to_jsonb(t) - 'number')::text, '|' ORDER BY t.id), ''))"
                f" FROM {table} t"
            )
            digests[model._meta.db_table] = cursor.fetchone()
    return digests


def _truncate_business_tables() -> None:
    """Empty the business tables and restart their ids (rolled back with the test's transaction)."""
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in _business_models())
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
