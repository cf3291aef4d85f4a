"""Orders and their lines from a buyer's spreadsheet: one row per line, grouped by (buyer code, buyer reference).

The buyer's PO number (`buyer_reference`) is the order's natural key for an import: the rows
sharing a buyer and reference are one order. The header columns (order date, ship date,
currency, notes) are read from the group's first row; a later row may leave them empty, but
may not say something else.

Writes bypass order_create/order_update (one INSERT per batch, not one per order) and apply
their rules: the API serializers (OrderSerializer for the header, OrderLineSerializer per line),
the models' full_clean() without the queries of unique and constraint checks, order_lines_check
(styles of the order's buyer, in its colourways and the sizes of its range, no SKU twice; given
the batch's styles, fetched once), an inactive buyer refused for a new order, and
lines changed only while the order's status allows it. New orders are drafts numbered from the
orders sequence; totals are recomputed in one UPDATE per batch.
"""

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.buyers.models import Buyer
from apps.core import cache
from apps.core.audit import bulk_create_audited, bulk_delete_audited, bulk_update_audited
from apps.core.imports.base import BatchResult, Column, Existing, Record, Resource, RowError, register
from apps.core.imports.validation import (
    by_natural_key,
    cell_text,
    clean_without_queries,
    conflicting_values,
    row_errors,
    validate_rows,
)
from apps.core.numbering import next_numbers
from apps.samples.models import Style

from .api.filters import OrderFilterSet
from .api.serializers import OrderLineSerializer, OrderSerializer
from .choices import EDITABLE_STATUSES
from .milestones import order_milestones_plan, order_milestones_replan
from .models import Order, OrderLine
from .services import ALWAYS_EDITABLE, order_lines_check

HEADER = ("order_date", "ship_date", "currency", "notes")
LINE = ("style_code", "colour", "size", "quantity", "unit_price")
# Serializer field -> column, where they differ.
COLUMN_OF = {"buyer": "buyer_code", "style": "style_code"}


class OrderHeaderImportSerializer(OrderSerializer):
    """The API's order fields and rules without the nested lines, which are validated row by row."""

    lines = None
    allowed_transitions = None

    class Meta(OrderSerializer.Meta):
        fields = ["buyer", "buyer_reference", "order_date", "ship_date", "currency", "notes"]


@register
class OrderResource(Resource):
    name = "orders"
    title = "Orders with their lines (one row per line)"
    grouped = True
    key = ("buyer_code", "buyer_reference")
    filterset_class = OrderFilterSet
    columns = (
        Column("buyer_code", required=True, aliases=("buyer",), example="B00047"),
        Column(
            "buyer_reference",
            required=True,
            aliases=("buyer ref", "po", "po number", "po no", "buyer po", "reference"),
            example="PO-26-0412",
            help="The buyer's own PO number: the rows with the same buyer and reference are one order.",
        ),
        Column("order_date", aliases=("date", "po date"), example="2026-11-01", help="Defaults to today."),
        Column("ship_date", required=True, aliases=("ship", "delivery date", "ex factory"), example="2027-02-15"),
        Column("currency", aliases=("ccy",), example="GBP", help="Defaults to the buyer's currency."),
        Column("notes", aliases=("remarks", "comments"), example="Ship by sea"),
        Column("style_code", required=True, aliases=("style",), example="ST00004"),
        Column("colour", required=True, aliases=("color",), example="Navy"),
        Column("size", required=True, example="M"),
        Column("quantity", required=True, aliases=("qty", "pieces", "pcs"), example="240"),
        Column("unit_price", required=True, aliases=("price", "fob", "fob price"), example="6.80"),
    )

    # --- Import --------------------------------------------------------------------------

    def load_batch(self, records: list[Record], *, existing: Existing) -> BatchResult:
        """Fetch buyers, styles with their colourways, existing orders and their lines in one query each; validate
        every order; then number, insert, replace lines and recompute totals with a fixed number of statements."""
        result = BatchResult()
        buyers = by_natural_key(Buyer, "code", {str(record.key[0]) for record in records})
        style_codes = {cell_text(values["style_code"]) for r in records for _, values in r.rows}
        styles = {style.code: style for style in Style.objects.with_specs().filter(code__in=style_codes)}
        styles_by_id = {style.pk: style for style in styles.values()}
        current = self._current(records, buyers)
        current_lines = _line_sets(OrderLine.objects.filter(order__in=[o for os in current.values() for o in os]))

        headers = validate_rows(
            OrderHeaderImportSerializer,
            [_header_input(record) for record in records],
            resolved={"buyer": buyers},
        )
        lines_checked = iter(
            validate_rows(
                OrderLineSerializer,
                [
                    {"style": v["style_code"], **{c: v.get(c, "") for c in LINE[1:]}}
                    for record in records
                    for _, v in record.rows
                ],
                resolved={"style": styles},
            )
        )

        creates, updates, updated_fields, replaced, new_lines = [], [], set(), [], []
        for index, (record, (status, header)) in enumerate(zip(records, headers, strict=True)):
            checked = [next(lines_checked) for _ in record.rows]
            errors = conflicting_values(record, HEADER, "an order")
            if status == "error":
                errors += row_errors(record.first_row, header, record.rows[0][1], columns=COLUMN_OF)
            lines = []
            for (number, values), (line_status, data) in zip(record.rows, checked, strict=True):
                if line_status == "error":
                    errors += row_errors(number, data, values, columns=COLUMN_OF)
                    continue
                line = OrderLine(**data)
                line_errors = clean_without_queries(line, exclude=["order", "style"])
                errors += row_errors(number, line_errors, values, columns=COLUMN_OF)
                lines.append(line)
            if errors:
                result.errors += errors
                continue
            buyer = header["buyer"]
            for position, fields in order_lines_check(buyer_id=buyer.pk, lines=lines, styles=styles_by_id).items():
                number, values = record.rows[position]
                errors += row_errors(number, fields, values, columns=COLUMN_OF)
            matches = current.get((buyer.pk, header["buyer_reference"]), [])
            if len(matches) > 1:
                numbers = ", ".join(order.number for order in matches)
                errors.append(_row_error(record, "buyer_reference", f"Several orders have this reference: {numbers}."))
            if errors:
                result.errors += errors
                continue

            if not matches:
                order, order_errors = self._new_order(buyer, header)
                if order_errors:
                    result.errors += row_errors(record.first_row, order_errors, record.rows[0][1], columns=COLUMN_OF)
                    continue
                creates.append(order)
                new_lines.append((order, lines))
                result.outcomes[index] = "created"
                continue

            order = matches[0]
            changes = {
                field: value for field, value in header.items() if field in HEADER and getattr(order, field) != value
            }
            lines_differ = current_lines.get(order.pk, Counter()) != _line_set(lines)
            if not changes and not lines_differ:
                result.outcomes[index] = "unchanged"
                continue
            if existing == "skip":
                result.outcomes[index] = "skipped"
                continue
            if existing == "compare":
                what = [*(f"{field} was {getattr(order, field)!s:.40}" for field in changes)]
                what += ["its lines differ"] if lines_differ else []
                result.errors.append(
                    _row_error(
                        record,
                        "buyer_reference",
                        f"Order {order.number} exists and differs ({'; '.join(what)}): "
                        "use --update to change it or --skip-existing to leave it.",
                    )
                )
                continue
            if (lines_differ or set(changes) - ALWAYS_EDITABLE) and order.status not in EDITABLE_STATUSES:
                result.errors.append(
                    _row_error(
                        record, "buyer_reference", f"Order {order.number} is {order.status}; it can no longer change."
                    )
                )
                continue
            for field, value in changes.items():
                setattr(order, field, value)
            order_errors = clean_without_queries(order, exclude=["buyer"])
            if order_errors:
                result.errors += row_errors(record.first_row, order_errors, record.rows[0][1], columns=COLUMN_OF)
                continue
            updates.append(order)
            updated_fields |= set(changes)
            if lines_differ:
                replaced.append(order.pk)
                new_lines.append((order, lines))
            result.outcomes[index] = "updated"

        self._write(creates, updates, updated_fields, replaced, new_lines)
        return result

    def _current(self, records: list[Record], buyers: dict[str, Buyer]) -> dict[tuple, list[Order]]:
        """The batch's existing orders by (buyer id, reference), locked as order_update locks them: one query."""
        references = {str(record.key[1]) for record in records}
        found = defaultdict(list)
        orders = Order.objects.select_for_update().filter(
            buyer__in=[buyer.pk for buyer in buyers.values()], buyer_reference__in=references
        )
        for order in orders.order_by("pk"):
            found[(order.buyer_id, order.buyer_reference)].append(order)
        return found

    def _new_order(self, buyer: Buyer, header: dict) -> tuple[Order | None, dict]:
        """A draft as order_create builds it (numbered later, for the whole batch at once)."""
        if not buyer.is_active:
            return None, {"buyer": [f"Buyer {buyer.code} is inactive."]}
        fields = {field: value for field, value in header.items() if field != "buyer"}
        order = Order(buyer=buyer, **fields)
        order.currency = order.currency or buyer.currency
        return order, clean_without_queries(order, exclude=["buyer", "number"])

    def _write(self, creates, updates, updated_fields, replaced, new_lines) -> None:
        """Insert new orders (numbered in one query), update changed headers, replace and insert lines,
        and recompute the totals of every order whose lines were written: each one statement (plus history)."""
        if creates:
            for order, number in zip(creates, next_numbers("orders_order_number_seq", "SO", len(creates)), strict=True):
                order.number = number
            bulk_create_audited(creates, Order)
            order_milestones_plan(orders=creates)
        if updates:
            now = timezone.now()
            for order in updates:
                order.updated_at = now
            bulk_update_audited(updates, Order, sorted(updated_fields | {"updated_at"}))
            if {"order_date", "ship_date"} & updated_fields:
                order_milestones_replan(orders=updates)  # the T&A plan follows the order's dates
        if replaced:
            bulk_delete_audited(OrderLine.objects.filter(order__in=replaced))
        if new_lines:
            for order, lines in new_lines:
                for line in lines:
                    line.order = order
            bulk_create_audited([line for _, lines in new_lines for line in lines], OrderLine)
            totals = (
                OrderLine.objects.filter(order=OuterRef("pk"))
                .order_by()
                .values("order")
                .annotate(total=Sum("amount"))
                .values("total")
            )
            money = DecimalField(max_digits=14, decimal_places=2)
            Order.objects.filter(pk__in=[order.pk for order, _ in new_lines]).update(
                total=Coalesce(Subquery(totals, output_field=money), Value(Decimal(0)), output_field=money)
            )
        if creates or updates:
            cache.bump(Order, OrderLine)  # bulk writes send no signals; reports and the dashboard read these

    # --- Export --------------------------------------------------------------------------

    def export_queryset(self, params: dict):
        """The lines of the orders the API's order list keeps for these filters, order by order."""
        orders = self.filtered(params, Order.objects.all())
        return (
            OrderLine.objects.filter(order__in=orders.order_by().values("pk"))
            .select_related("order__buyer", "style")
            .order_by("order_id", "id")
        )

    def export_rows(self, queryset):
        """One row per order line, the order's columns repeated on each."""
        for line in queryset.iterator(chunk_size=2000):
            order = line.order
            yield [
                order.buyer.code,
                order.buyer_reference,
                order.order_date,
                order.ship_date,
                order.currency,
                order.notes,
                line.style.code,
                line.colour,
                line.size,
                line.quantity,
                line.unit_price,
            ]


def _header_input(record: Record) -> dict:
    values = record.rows[0][1]
    return {
        "buyer": record.key[0],
        "buyer_reference": record.key[1],
        **{column: values.get(column, "") for column in HEADER if column in values},
    }


def _row_error(record: Record, column: str, message: str) -> RowError:
    return RowError(record.first_row, column, cell_text(record.rows[0][1].get(column, "")), message)


def _line_set(lines) -> Counter:
    return Counter((line.style_id, line.colour, line.size, line.quantity, Decimal(line.unit_price)) for line in lines)


def _line_sets(queryset) -> dict[int, Counter]:
    found = defaultdict(Counter)
    for order_id, *sku in queryset.values_list("order_id", "style_id", "colour", "size", "quantity", "unit_price"):
        found[order_id][tuple(sku)] += 1
    return found
