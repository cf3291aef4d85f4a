"""The time-and-action (T&A) calendar of orders: writes. Reads (late, state) are on OrderMilestone.objects.

Planning: each active MilestoneTemplate gives an order one milestone, planned `days_before_ship`
days before its ship date but never before its order date — a step the order's lead time leaves
no room for is due the day the order was taken (late from the next day) rather than planned in a
past the order never had. The milestone keeps the template's offset, so editing a template changes
the plans of new orders, not of running ones.

The plan follows the order: when its ship (or order) date changes, every planned date moves;
actual dates never do. All writes are bulk, a fixed number of queries however many templates.

Orders that existed before the calendar: migration 0006 planned those still in hand (draft,
confirmed, in production) with one INSERT ... SELECT. Orders bulk-loaded by generate_data (COPY)
have none; a template activated later applies to orders created afterwards.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.audit import bulk_create_audited, bulk_update_audited
from apps.core.cache import bump

from .models import MilestoneTemplate, Order, OrderMilestone

# What staff record on a milestone; the plan itself belongs to the order's dates.
EDITABLE_FIELDS = {"actual_date", "notes"}


def planned_date(*, order_date: datetime.date, ship_date: datetime.date, days_before_ship: int) -> datetime.date:
    """The day a step is due: days_before_ship before shipping, but not before the order was taken."""
    return max(order_date, ship_date - datetime.timedelta(days=days_before_ship))


@transaction.atomic
def order_milestones_plan(*, orders: list[Order]) -> list[OrderMilestone]:
    """Plan new orders' calendars, a milestone per active template: three queries however many orders
    (order_create passes one, the order import a batch)."""
    templates = list(MilestoneTemplate.objects.filter(is_active=True))
    milestones = [
        OrderMilestone(
            order=order,
            template=template,
            days_before_ship=template.days_before_ship,
            planned_date=planned_date(
                order_date=order.order_date, ship_date=order.ship_date, days_before_ship=template.days_before_ship
            ),
        )
        for order in orders
        for template in templates
    ]
    if milestones:
        bulk_create_audited(milestones, OrderMilestone)
        bump(OrderMilestone)  # bulk writes send no signals
    return milestones


@transaction.atomic
def order_milestones_replan(*, orders: list[Order]) -> int:
    """Move the orders' planned dates to follow their current ship and order dates: three queries at most.
    Returns how many milestones moved."""
    by_pk = {order.pk: order for order in orders}
    moved = []
    for milestone in OrderMilestone.objects.filter(order__in=orders).select_for_update():
        order = by_pk[milestone.order_id]
        planned = planned_date(
            order_date=order.order_date, ship_date=order.ship_date, days_before_ship=milestone.days_before_ship
        )
        if milestone.planned_date != planned:
            milestone.planned_date = planned
            moved.append(milestone)
    if moved:
        bulk_update_audited(moved, OrderMilestone, ["planned_date"])
        bump(OrderMilestone)
    return len(moved)


def actual_date_check(*, actual_date: datetime.date, order_date: datetime.date) -> None:
    """An actual date records what happened: not in the future, and not before the order was taken.
    The admin's milestone forms run it too, to show the message beside the field."""
    if actual_date > timezone.localdate():
        raise ValidationError({"actual_date": "The actual date cannot be in the future."})
    if actual_date < order_date:
        raise ValidationError({"actual_date": f"The actual date cannot be before the order date ({order_date})."})


@transaction.atomic
def order_milestone_update(*, milestone: OrderMilestone, data: dict) -> OrderMilestone:
    """Record a milestone's actual date (see actual_date_check) and notes; data holds either or both."""
    refused = set(data) - EDITABLE_FIELDS
    if refused:
        raise ValueError(f"Not updatable: {sorted(refused)}")
    milestone = OrderMilestone.objects.select_related("order").select_for_update(of=("self",)).get(pk=milestone.pk)
    if data.get("actual_date") is not None:
        actual_date_check(actual_date=data["actual_date"], order_date=milestone.order.order_date)
    for field, value in data.items():
        setattr(milestone, field, value)
    milestone.full_clean(validate_unique=False, validate_constraints=False)
    milestone.save(update_fields=list(data))
    return milestone
