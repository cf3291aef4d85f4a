"""The reports staff can download: what each one shows, and the one query that builds it.

Every report is a `Report` in `REPORTS`. Its `rows(date_from, date_to)` yields plain tuples in
column order (str, int, Decimal, date), aggregated in PostgreSQL by a single GROUP BY query that
is streamed with a server-side cursor, so the cost in Python is the size of the answer, not of the
tables (1M orders / 4M lines). Dated reports filter an inclusive date range; either end may be
None (open). Snapshot reports (dated=False) ignore the dates and show the state now.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    Model,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round, TruncMonth
from django.utils import timezone

from apps.buyers.models import Buyer
from apps.inventory.models import Material, StockLevel, StockMovement, Warehouse
from apps.orders.choices import OrderStatus
from apps.orders.models import Order, OrderLine
from apps.purchasing.choices import RECEIVABLE_STATUSES
from apps.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier
from apps.samples.choices import SampleStatus
from apps.samples.models import Sample

# Orders that are sales: everything the buyer has confirmed. Drafts are not agreed yet and
# cancelled orders will never ship, so neither counts.
SALES_STATUSES = [s for s in OrderStatus if s not in (OrderStatus.DRAFT, OrderStatus.CANCELLED)]
# Purchase orders we are committed to and still waiting on: sent, or partly delivered. Drafts have
# not gone to the supplier yet (unlike purchasing's OPEN_STATUSES, which plans with them).
OPEN_PO_STATUSES = sorted(RECEIVABLE_STATUSES)

MONEY = DecimalField(max_digits=20, decimal_places=2)
QUANTITY = DecimalField(max_digits=20, decimal_places=3)
# Wide enough for quantity (3 dp) x price or cost (4 dp) before rounding to cents.
EXACT = DecimalField(max_digits=30, decimal_places=7)
CHUNK = 2000
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Report:
    """A downloadable report: its key, title, column headers and the rows in that order."""

    key: str
    title: str
    columns: tuple[str, ...]
    dated: bool
    rows: Callable[[datetime.date | None, datetime.date | None], Iterable[tuple]]
    # The permission a user needs to run it: the view permission on the data it summarises.
    permission: str
    # Models whose writes change its figures (cached answers are keyed on their versions, apps.core.cache).
    # Each write path that changes the figures saves or deletes at least one of them (a signal).
    reads: tuple[type[Model], ...]


def _date_range(field: str, date_from: datetime.date | None, date_to: datetime.date | None) -> Q:
    """`field` within [date_from, date_to], both inclusive; a missing end is open."""
    q = Q()
    if date_from:
        q &= Q(**{f"{field}__gte": date_from})
    if date_to:
        q &= Q(**{f"{field}__lte": date_to})
    return q


def _datetime_range(field: str, date_from: datetime.date | None, date_to: datetime.date | None) -> Q:
    """`field` (a timestamp) on a local day within [date_from, date_to]; plain comparisons, so an index can serve it."""
    q = Q()
    if date_from:
        q &= Q(**{f"{field}__gte": timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min))})
    if date_to:
        q &= Q(**{f"{field}__lt": timezone.make_aware(datetime.datetime.combine(date_to + DAY, datetime.time.min))})
    return q


def _workflow_position(field: str, statuses) -> Case:
    """Sort key putting `field` in the order the statuses are declared (the workflow's order)."""
    return Case(*(When(**{field: s}, then=Value(i)) for i, s in enumerate(statuses)), output_field=IntegerField())


def _days(duration: datetime.timedelta) -> Decimal:
    """A duration in days to one decimal, rounded half up, computed exactly from microseconds."""
    micro = (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds
    return (Decimal(micro) / Decimal(86_400_000_000)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def sales_by_buyer_month(date_from=None, date_to=None) -> Iterator[tuple]:
    """Sales per buyer, calendar month of order date and currency: confirmed, in-production, shipped
    and closed orders (SALES_STATUSES); drafts and cancelled orders are not sales.

    One query over orders joined to their lines: orders counted distinct, pieces and amount summed
    from the lines. Ordered by buyer code, month, currency.
    """
    rows = (
        Order.objects.filter(_date_range("order_date", date_from, date_to), status__in=SALES_STATUSES)
        .annotate(month=TruncMonth("order_date"))
        .values("buyer__code", "buyer__name", "month", "currency")
        .annotate(
            orders=Count("id", distinct=True),
            pieces=Coalesce(Sum("lines__quantity"), 0),
            amount=Coalesce(Sum("lines__amount"), Value(Decimal(0)), output_field=MONEY),
        )
        .order_by("buyer__code", "month", "currency")
        .values_list("buyer__code", "buyer__name", "month", "currency", "orders", "pieces", "amount")
    )
    for code, name, month, currency, orders, pieces, amount in rows.iterator(chunk_size=CHUNK):
        yield code, name, month.strftime("%Y-%m"), currency, orders, pieces, amount


def order_book_by_status(date_from=None, date_to=None) -> Iterator[tuple]:
    """Every order (drafts and cancelled included) per status, in workflow order, and currency.

    One query; ordered by status (draft, confirmed, in production, shipped, closed, cancelled), then currency.
    """
    labels = dict(OrderStatus.choices)
    rows = (
        Order.objects.filter(_date_range("order_date", date_from, date_to))
        .values("status", "currency")
        .annotate(
            orders=Count("id", distinct=True),
            pieces=Coalesce(Sum("lines__quantity"), 0),
            amount=Coalesce(Sum("lines__amount"), Value(Decimal(0)), output_field=MONEY),
            position=_workflow_position("status", OrderStatus),
        )
        .order_by("position", "currency")
        .values_list("status", "currency", "orders", "pieces", "amount")
    )
    for status, currency, orders, pieces, amount in rows.iterator(chunk_size=CHUNK):
        yield labels[status], currency, orders, pieces, amount


def sample_turnaround(date_from=None, date_to=None) -> Iterator[tuple]:
    """Approved samples per buyer and the days from request (created_at) to approval: average, min, max.

    Samples have no separate request date: sample_request() creates them, so created_at is when they
    were requested. The dates filter the (local) day of approval. One query; ordered by buyer code.
    """
    turnaround = ExpressionWrapper(F("approved_at") - F("created_at"), output_field=DurationField())
    rows = (
        Sample.objects.filter(
            _datetime_range("approved_at", date_from, date_to),
            status=SampleStatus.APPROVED,
            approved_at__isnull=False,
        )
        .values("buyer__code", "buyer__name")
        .annotate(samples=Count("id"), average=Avg(turnaround), fastest=Min(turnaround), slowest=Max(turnaround))
        .order_by("buyer__code")
        .values_list("buyer__code", "buyer__name", "samples", "average", "fastest", "slowest")
    )
    for code, name, samples, average, fastest, slowest in rows.iterator(chunk_size=CHUNK):
        yield code, name, samples, _days(average), _days(fastest), _days(slowest)


def inventory_valuation(date_from=None, date_to=None) -> Iterator[tuple]:
    """Stock now per warehouse and material at standard cost: value = on hand x standard cost, to cents.

    Levels at zero are left out. One query; ordered by warehouse code, material code.
    """
    value = ExpressionWrapper(F("on_hand") * F("material__standard_cost"), output_field=EXACT)
    rows = (
        StockLevel.objects.exclude(on_hand=0)
        .annotate(value=Round(value, 2, output_field=MONEY))
        .order_by("warehouse__code", "material__code")
        .values_list(
            "warehouse__code",
            "material__code",
            "material__name",
            "material__unit",
            "on_hand",
            "material__standard_cost",
            "value",
        )
    )
    return rows.iterator(chunk_size=CHUNK)


def below_reorder_level(date_from=None, date_to=None) -> Iterator[tuple]:
    """Active materials with a reorder level whose stock over all warehouses is below it; shortfall = level - on hand.

    Inactive materials are left out: nobody reorders them. One query (on hand is a subquery per
    material, see MaterialQuerySet.with_on_hand); ordered by material code.
    """
    shortfall = ExpressionWrapper(F("reorder_level") - F("on_hand"), output_field=QUANTITY)
    rows = (
        Material.objects.filter(is_active=True, reorder_level__gt=0)
        .below_reorder()
        .annotate(shortfall=shortfall)
        .order_by("code")
        .values_list("code", "name", "unit", "on_hand", "reorder_level", "shortfall")
    )
    return rows.iterator(chunk_size=CHUNK)


def open_purchase_orders_by_supplier(date_from=None, date_to=None) -> Iterator[tuple]:
    """Purchase orders sent and not fully received (OPEN_PO_STATUSES) per supplier and currency.

    outstanding value = sum over their lines of (quantity - received) x unit price, rounded to cents
    once per row. The dates filter the PO's order date. One query; ordered by supplier code, currency.
    """
    outstanding = ExpressionWrapper(
        (F("lines__quantity") - F("lines__received_quantity")) * F("lines__unit_price"), output_field=EXACT
    )
    rows = (
        PurchaseOrder.objects.filter(_date_range("order_date", date_from, date_to), status__in=OPEN_PO_STATUSES)
        .values("supplier__code", "supplier__name", "currency")
        .annotate(
            purchase_orders=Count("id", distinct=True),
            ordered=Coalesce(Sum("lines__quantity"), Value(Decimal(0)), output_field=QUANTITY),
            received=Coalesce(Sum("lines__received_quantity"), Value(Decimal(0)), output_field=QUANTITY),
            outstanding=Round(Coalesce(Sum(outstanding), Value(Decimal(0)), output_field=EXACT), 2, output_field=MONEY),
        )
        .order_by("supplier__code", "currency")
        .values_list(
            "supplier__code", "supplier__name", "currency", "purchase_orders", "ordered", "received", "outstanding"
        )
    )
    return rows.iterator(chunk_size=CHUNK)


REPORTS: dict[str, Report] = {
    report.key: report
    for report in (
        Report(
            key="sales_by_buyer_month",
            title="Sales by buyer and month",
            columns=("Buyer code", "Buyer name", "Month", "Currency", "Orders", "Pieces", "Amount"),
            dated=True,
            rows=sales_by_buyer_month,
            permission="orders.view_order",
            reads=(Order, OrderLine, Buyer),
        ),
        Report(
            key="order_book_by_status",
            title="Order book by status",
            columns=("Status", "Currency", "Orders", "Pieces", "Amount"),
            dated=True,
            rows=order_book_by_status,
            permission="orders.view_order",
            reads=(Order, OrderLine),
        ),
        Report(
            key="sample_turnaround",
            title="Sample turnaround by buyer",
            columns=(
                "Buyer code",
                "Buyer name",
                "Samples approved",
                "Average days",
                "Fastest (days)",
                "Slowest (days)",
            ),
            dated=True,
            rows=sample_turnaround,
            permission="samples.view_sample",
            reads=(Sample, Buyer),
        ),
        Report(
            key="inventory_valuation",
            title="Inventory valuation",
            columns=(
                "Warehouse code",
                "Material code",
                "Material name",
                "Unit",
                "On hand",
                "Standard cost",
                "Value",
            ),
            dated=False,
            rows=inventory_valuation,
            permission="inventory.view_stocklevel",
            # Postings change levels with update() (no signal) but always append a movement (a signal).
            reads=(StockLevel, StockMovement, Material, Warehouse),
        ),
        Report(
            key="below_reorder_level",
            title="Materials below reorder level",
            columns=("Material code", "Material name", "Unit", "On hand", "Reorder level", "Shortfall"),
            dated=False,
            rows=below_reorder_level,
            permission="inventory.view_material",
            reads=(Material, StockLevel, StockMovement),
        ),
        Report(
            key="open_purchase_orders_by_supplier",
            title="Open purchase orders by supplier",
            columns=(
                "Supplier code",
                "Supplier name",
                "Currency",
                "Open POs",
                "Ordered quantity",
                "Received quantity",
                "Outstanding value",
            ),
            dated=True,
            rows=open_purchase_orders_by_supplier,
            permission="purchasing.view_purchaseorder",
            # A receipt raises received quantities with update() but always saves the order's status.
            reads=(PurchaseOrder, PurchaseOrderLine, Supplier),
        ),
    )
}


def get_report(key: str) -> Report:
    """The report registered under `key`; KeyError naming the known keys otherwise."""
    try:
        return REPORTS[key]
    except KeyError:
        raise KeyError(f"Unknown report {key!r}; known reports: {', '.join(REPORTS)}.") from None
