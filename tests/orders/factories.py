import datetime

import factory

from apps.orders.models import Order, OrderLine
from tests.buyers.factories import BuyerFactory
from tests.samples.factories import StyleFactory


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
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    style = factory.SubFactory(StyleFactory, buyer=factory.SelfAttribute("..order.buyer"))
    colour = "Navy"
    size = factory.Sequence(lambda n: f"S{n}")
    quantity = 100
    unit_price = "5.00"


def order_with_lines(lines: int = 2, **order_fields) -> Order:
    """A saved order whose total equals its lines (via the service that keeps it so)."""
    from apps.orders.services import order_recalculate_total

    order = OrderFactory(**order_fields)
    OrderLineFactory.create_batch(lines, order=order)
    return order_recalculate_total(order=order)
