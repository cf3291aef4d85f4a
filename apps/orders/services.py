"""Writes to orders. The total always equals the sum of the lines, in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from apps.core.audit import bulk_create_audited, delete_with_history
from apps.core.grids import cells_from_matrix, spellings
from apps.core.numbering import next_number
from apps.core.services import update_validated
from apps.samples.models import Style

from .choices import EDITABLE_STATUSES, ORDER_WORKFLOW, OrderStatus
from .milestones import order_milestones_plan, order_milestones_replan
from .models import Order, OrderLine

# Notes and the buyer's reference may change at any time; everything else only while editable.
ALWAYS_EDITABLE = {"buyer_reference", "notes"}


def _check_editable(order: Order) -> None:
    if order.status not in EDITABLE_STATUSES:
        raise ValidationError({"status": f"Order {order.number} is {order.status}; its lines can no longer change."})


def _styles_with_specs(style_ids) -> dict[int, Style]:
    """The styles by id, each with its size range and colourways: two queries however many."""
    return Style.objects.with_specs().in_bulk(set(style_ids))


def _spec_problem(style: Style, buyer_id: int) -> str | None:
    """Why no order of this buyer can be taken for the style, if it cannot."""
    if style.buyer_id != buyer_id:
        return f"Style {style.code} belongs to another buyer."
    if style.size_range is None:
        return f"Style {style.code} has no size range; set one before taking orders."
    if not style.colourways.all():
        return f"Style {style.code} has no colourways; add them before taking orders."
    return None


def _colours(style: Style) -> list[str]:
    return [colourway.name for colourway in style.colourways.all()]


def order_lines_check(*, buyer_id: int, lines: list[OrderLine], styles: dict | None = None) -> dict[int, dict]:
    """Business rules across an order's lines: styles of the order's buyer with a size range and
    colourways, each line in one of them and a size of the range, no SKU twice. Respells each line's
    colour and size as the style spells them. The same number of queries however many lines.

    Returns {line index: {field: [message]}}; the admin's inline form and the API both use it. An import
    checking many orders passes `styles` ({id: style} from Style.objects.with_specs()), fetched once for its batch.
    """
    if styles is None:
        styles = _styles_with_specs(line.style_id for line in lines)
    errors, skus = {}, set()
    for index, line in enumerate(lines):
        style = styles.get(line.style_id)
        problem = _spec_problem(style, buyer_id) if style else "No such style."
        if problem:
            errors[index] = {"style": [problem]}
            continue
        colour = spellings(_colours(style)).get(line.colour.strip().lower())
        size = spellings(style.size_range.sizes).get(line.size.strip().lower())
        if colour is None:
            errors.setdefault(index, {})["colour"] = [
                f"{line.colour} is not a colourway of {style.code} ({', '.join(_colours(style))})."
            ]
        if size is None:
            errors.setdefault(index, {})["size"] = [
                f"Size {line.size} is not in {style.code}'s size range ({', '.join(style.size_range.sizes)})."
            ]
        if index in errors:
            continue
        line.colour, line.size = colour, size
        if (style.pk, colour, size) in skus:
            errors[index] = {"size": [f"{style.code} {colour}/{size} appears twice."]}
        skus.add((style.pk, colour, size))
    return errors


def order_grid_check(*, buyer_id: int, grid: list[dict]) -> tuple[list[dict], dict[int, dict]]:
    """Grid lines [{"style": Style, "unit_price": Decimal, "quantities": {colour: {size: qty}}}] as
    order lines, one per colour and size with a quantity, under the rules of order_lines_check.

    Returns (lines, {grid line index: {field: [message]}}); the lines are only meaningful without
    errors. The same number of queries however many grid lines and cells.
    """
    styles = _styles_with_specs(entry["style"].pk for entry in grid)
    lines, errors, taken = [], {}, {}
    for index, entry in enumerate(grid):
        style = styles[entry["style"].pk]
        problem = _spec_problem(style, buyer_id)
        if problem:
            errors[index] = {"style": [problem]}
            continue
        cells, problems = cells_from_matrix(entry["quantities"], colours=_colours(style), sizes=style.size_range.sizes)
        for cell in cells:
            earlier = taken.setdefault((style.pk, cell.colour, cell.size), index)
            if earlier != index:
                problems.append(f"{style.code} {cell.colour}/{cell.size} is also in grid line {earlier + 1}.")
        if problems:
            errors[index] = {"quantities": problems}
        lines += [
            {"style": style, "colour": cell.colour, "size": cell.size, "quantity": cell.quantity,
             "unit_price": entry["unit_price"]}
            for cell in cells
        ]  # fmt: skip
    return lines, errors


def _validated_lines(order: Order, lines: list[dict]) -> list[OrderLine]:
    """Build and check line rows; every problem is reported as "Line N: field: message"."""
    if not lines:
        raise ValidationError({"lines": ["An order needs at least one line."]})
    built, errors = [], {}
    for index, data in enumerate(lines):
        line = OrderLine(order=order, **data)
        try:
            # The style is checked with the others below, in one query rather than one per line.
            line.full_clean(exclude=["order", "style"], validate_unique=False, validate_constraints=False)
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


def buyer_takes_orders_check(buyer) -> None:
    """New orders are for active buyers only (the admin's form asks before saving)."""
    if not buyer.is_active:
        raise ValidationError({"buyer": f"Buyer {buyer.code} is inactive."})


@transaction.atomic
def order_create(*, buyer, ship_date, lines: list[dict] | None, currency: str = "", **header) -> Order:
    """Create a draft order with its lines (None: none yet); the currency defaults to the buyer's."""
    buyer_takes_orders_check(buyer)
    order = Order(buyer=buyer, ship_date=ship_date, currency=currency or buyer.currency, **header)
    order.number = next_number("orders_order_number_seq", "SO")
    order.full_clean()
    order.save()
    order_milestones_plan(orders=[order])
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
        if {"order_date", "ship_date"} & set(data):
            order_milestones_replan(orders=[order])  # the T&A plan follows the order's dates
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
