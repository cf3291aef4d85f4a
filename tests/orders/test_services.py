import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.orders import services
from apps.orders.choices import OrderStatus
from apps.orders.models import Order
from tests.buyers.factories import BuyerFactory
from tests.orders.factories import OrderFactory, order_with_lines
from tests.samples.factories import StyleFactory

pytestmark = pytest.mark.django_db

SHIP = datetime.date(2027, 3, 1)
LEGAL = {
    OrderStatus.DRAFT: {OrderStatus.CONFIRMED, OrderStatus.CANCELLED},
    OrderStatus.CONFIRMED: {OrderStatus.IN_PRODUCTION, OrderStatus.CANCELLED},
    OrderStatus.IN_PRODUCTION: {OrderStatus.SHIPPED, OrderStatus.CANCELLED},
    OrderStatus.SHIPPED: {OrderStatus.CLOSED},
    OrderStatus.CLOSED: set(),
    OrderStatus.CANCELLED: set(),
}


def line(style, size="M", quantity=10, unit_price="4.25", colour="Navy"):
    return {"style": style, "colour": colour, "size": size, "quantity": quantity, "unit_price": Decimal(unit_price)}


def test_order_create_numbers_the_order_and_totals_its_lines():
    style = StyleFactory()
    order = services.order_create(
        buyer=style.buyer, ship_date=SHIP, lines=[line(style, "S", 10, "4.25"), line(style, "M", 20, "4.50")]
    )
    order.refresh_from_db()
    assert order.number.startswith("SO") and order.status == OrderStatus.DRAFT
    assert order.total == Decimal("132.50")  # 10 x 4.25 + 20 x 4.50
    assert order.currency == style.buyer.currency


def test_order_total_follows_line_edits():
    style = StyleFactory()
    order = services.order_create(buyer=style.buyer, ship_date=SHIP, lines=[line(style, "S", 10, "2.00")])
    services.order_update(order=order, data={}, lines=[line(style, "S", 10, "2.00"), line(style, "L", 5, "3.00")])
    order.refresh_from_db()
    assert order.total == Decimal("35.00")
    services.order_update(order=order, data={}, lines=[line(style, "L", 1, "3.00")])
    order.refresh_from_db()
    assert (order.total, order.lines.count()) == (Decimal("3.00"), 1)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "at least one line"),
        ([{"colour": "Navy", "size": "M", "quantity": 0, "unit_price": Decimal("1")}], "Line 1: quantity"),
        ([{"colour": "Navy", "size": "M", "quantity": 1, "unit_price": Decimal("-1")}], "Line 1: unit_price"),
    ],
)
def test_order_create_refuses_bad_lines_and_writes_nothing(lines, message):
    style = StyleFactory()
    lines = [{"style": style, **entry} for entry in lines]
    with pytest.raises(ValidationError) as error:
        services.order_create(buyer=style.buyer, ship_date=SHIP, lines=lines)
    assert message in " ".join(error.value.message_dict["lines"])
    assert not Order.objects.exists()


def test_order_create_refuses_another_buyers_style_and_repeated_skus():
    own, foreign = StyleFactory(), StyleFactory()
    with pytest.raises(ValidationError, match="belongs to another buyer"):
        services.order_create(buyer=own.buyer, ship_date=SHIP, lines=[line(foreign)])
    with pytest.raises(ValidationError, match="appears twice"):
        services.order_create(buyer=own.buyer, ship_date=SHIP, lines=[line(own, "M"), line(own, " m ")])
    assert not Order.objects.exists()


def test_order_create_refuses_ship_before_order_date_and_inactive_buyer():
    style = StyleFactory()
    with pytest.raises(ValidationError) as error:
        services.order_create(
            buyer=style.buyer,
            ship_date=datetime.date(2026, 1, 1),
            order_date=datetime.date(2026, 2, 1),
            lines=[line(style)],
        )
    assert "ship_date" in error.value.message_dict
    inactive = StyleFactory(buyer=BuyerFactory(is_active=False))
    with pytest.raises(ValidationError, match="inactive"):
        services.order_create(buyer=inactive.buyer, ship_date=SHIP, lines=[line(inactive)])


def test_order_full_workflow():
    order = order_with_lines()
    for status in (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED, OrderStatus.CLOSED):
        order = services.order_transition(order=order, status=status)
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED


@pytest.mark.parametrize(
    ("current", "target"),
    [(current, target) for current, allowed in LEGAL.items() for target in sorted(set(OrderStatus.values) - allowed)],
)
def test_order_every_illegal_transition_is_refused(current, target):
    order = order_with_lines(status=current)
    with pytest.raises(ValidationError) as error:
        services.order_transition(order=order, status=target)
    assert f"from '{current}' to '{target}'" in error.value.message_dict["status"][0]
    order.refresh_from_db()
    assert order.status == current


def test_order_without_lines_cannot_be_confirmed_but_can_be_cancelled():
    order = OrderFactory()
    with pytest.raises(ValidationError, match="without lines"):
        services.order_transition(order=order, status=OrderStatus.CONFIRMED)
    assert services.order_transition(order=order, status=OrderStatus.CANCELLED).status == OrderStatus.CANCELLED


def test_order_lines_freeze_once_in_production_but_notes_stay_editable():
    order = order_with_lines(status=OrderStatus.IN_PRODUCTION)
    style = order.lines.first().style
    with pytest.raises(ValidationError, match="can no longer change"):
        services.order_update(order=order, data={}, lines=[line(style)])
    with pytest.raises(ValidationError, match="can no longer change"):
        services.order_update(order=order, data={"ship_date": SHIP})
    assert services.order_update(order=order, data={"notes": "Late trims"}).notes == "Late trims"


def test_order_update_refuses_changing_buyer_or_status():
    order = order_with_lines()
    with pytest.raises(ValueError):
        services.order_update(order=order, data={"status": OrderStatus.SHIPPED})
    with pytest.raises(ValueError):
        services.order_update(order=order, data={"buyer": BuyerFactory()})
