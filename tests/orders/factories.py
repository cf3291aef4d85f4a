import datetime

import factory
from django.utils import timezone

from apps.orders.models import Order, OrderLine
from tests.buyers.factories import BuyerFactory
from tests.samples.factories import DEFAULT_COLOURWAYS, StyleFactory

# The default style's sizes (SizeRangeFactory's XS-XXL).
SIZES = ("XS", "S", "M", "L", "XL", "XXL")


class OrderFactory(factory.django.DjangoModelFactory):
    """An order row; its total is whatever you say. Use with_lines() for a consistent one."""

    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"T{n:07d}")
    buyer = factory.SubFactory(BuyerFactory)
    order_date = datetime.date(2026, 11, 1)
    ship_date = datetime.date(2027, 2, 1)
    currency = factory.SelfAttribute("buyer.currency")


class OrderLineFactory(factory.django.DjangoModelFactory):
    """A SKU of a default style (its colourways and sizes); successive lines walk its colour x size grid,
    so up to 24 lines of one style and order stay distinct. Give colour and size for other styles."""

    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    style = factory.SubFactory(StyleFactory, buyer=factory.SelfAttribute("..order.buyer"))
    colour = factory.Sequence(lambda n: DEFAULT_COLOURWAYS[n // len(SIZES) % len(DEFAULT_COLOURWAYS)])
    size = factory.Sequence(lambda n: SIZES[n % len(SIZES)])
    quantity = 100
    unit_price = "5.00"


def order_with_lines(lines: int = 2, **order_fields) -> Order:
    """A saved order whose total equals its lines (via the service that keeps it so)."""
    from apps.orders.services import order_recalculate_total

    order = OrderFactory(**order_fields)
    OrderLineFactory.create_batch(lines, order=order)
    return order_recalculate_total(order=order)


def order_with_milestones(*, ordered_days_ago: int = 100, ships_in_days: int = 10, **order_fields) -> Order:
    """A saved order (one line) dated relative to today, its T&A calendar planned from the seeded templates.
    With the defaults, five milestones are past their planned date and two are still to come."""
    from apps.orders.milestones import order_milestones_plan

    today = timezone.localdate()
    order = order_with_lines(
        1,
        order_date=today - datetime.timedelta(days=ordered_days_ago),
        ship_date=today + datetime.timedelta(days=ships_in_days),
        **order_fields,
    )
    order_milestones_plan(orders=[order])
    return order
