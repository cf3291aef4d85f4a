"""Writes to orders. The total always equals the sum of the lines, in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from apps.core.audit import bulk_create_audited, delete_with_history
from apps.core.numbering import next_number
from apps.core.services import update_validated

from .choices import EDITABLE_STATUSES, ORDER_WORKFLOW, OrderStatus
from .models import Order, OrderLine

# Notes and the buyer's reference may change at any time; everything else only while editable.
ALWAYS_EDITABLE = {"buyer_reference", "notes"}


def _check_editable(order: Order) -> None:
    if order.status not in EDITABLE_STATUSES:
        raise ValidationError({"status": f"Order {order.number} is {order.status}; its lines can no longer change."})


def order_lines_check(*, buyer_id: int, lines: list[OrderLine]) -> dict[int, dict]:
    """Business rules across an order's lines: styles of the order's buyer, no SKU twice.

    Returns {line index: {field: [message]}}; the admin's inline form and the API both use it.
    """
    errors, skus = {}, set()
    for index, line in enumerate(lines):
        if line.style.buyer_id != buyer_id:
            errors[index] = {"style": [f"Style {line.style.code} belongs to another buyer."]}
            continue
        sku = (line.style_id, line.colour.strip().lower(), line.size.strip().lower())
        if sku in skus:
            errors[index] = {"size": [f"{line.style.code} {line.colour}/{line.size} appears twice."]}
        skus.add(sku)
    return errors


def _validated_lines(order: Order, lines: list[dict]) -> list[OrderLine]:
    """Build and check line rows; every problem is reported as "Line N: field: message"."""
    if not lines:
        raise ValidationError({"lines": ["An order needs at least one line."]})
    built, errors = [], {}
    for index, data in enumerate(lines):
        line = OrderLine(order=order, **data)
        try:
            line.full_clean(exclude=["order"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors[index] = error.message_dict
        built.append(line)
    if not errors:
        errors = order_lines_check(buyer_id=order.buyer_id, lines=built)
    if errors:
        raise ValidationError(
            {
                "lines": [
                    f"Line {index + 1}: {field}: {message}"
                    for index, fields in sorted(errors.items())
                    for field, messages in fields.items()
                    for message in messages
                ]
            }
        )
    return built


def _replace_lines(order: Order, lines: list[dict]) -> None:
    built = _validated_lines(order, lines)
    delete_with_history(order.lines.all())
    bulk_create_audited(built, OrderLine)
    order_recalculate_total(order=order)


def order_recalculate_total(*, order: Order) -> Order:
    """Set the order's total to the sum of its lines (call inside the transaction that changed them)."""
    order.total = order.lines.aggregate(total=Sum("amount"))["total"] or 0
    Order.objects.filter(pk=order.pk).update(total=order.total)
    return order


@transaction.atomic
def order_create(*, buyer, ship_date, lines: list[dict] | None, currency: str = "", **header) -> Order:
    """Create a draft order with its lines; the currency defaults to the buyer's.

    lines=None is for the admin, whose inline form saves the lines next and then calls
    order_recalculate_total() in the same transaction.
    """
    if not buyer.is_active:
        raise ValidationError({"buyer": f"Buyer {buyer.code} is inactive."})
    order = Order(buyer=buyer, ship_date=ship_date, currency=currency or buyer.currency, **header)
    order.number = next_number("orders_order_number_seq", "SO")
    order.full_clean()
    order.save()
    if lines is not None:
        _replace_lines(order, lines)
    return order


@transaction.atomic
def order_update(*, order: Order, data: dict, lines: list[dict] | None = None) -> Order:
    """Change header fields and, if given, replace all lines; only notes and the buyer's reference
    may change once production has started."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if lines is not None or set(data) - ALWAYS_EDITABLE:
        _check_editable(order)
    if data:
        order = update_validated(order, data, fixed=("number", "buyer", "status", "total"))
    if lines is not None:
        _replace_lines(order, lines)
    return order


@transaction.atomic
def order_transition(*, order: Order, status: str) -> Order:
    """Move an order along draft -> confirmed -> in_production -> shipped -> closed, or cancel it."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    ORDER_WORKFLOW.check(order.status, status)
    if status == OrderStatus.CONFIRMED and not order.lines.exists():
        raise ValidationError({"lines": "An order without lines cannot be confirmed."})
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    return order
