"""services.order_lines_check and order_grid_check: the rules every way of entering order lines shares."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.orders import services
from apps.orders.models import Order, OrderLine
from tests.samples.factories import StyleFactory

pytestmark = pytest.mark.django_db

SIZES = ["XS", "S", "M", "L", "XL", "XXL"]


def _lines(styles, colours=("Navy", "White", "Black", "Red")) -> list[OrderLine]:
    return [
        OrderLine(style=style, colour=colour.lower(), size=size.lower(), quantity=1, unit_price=Decimal(1))
        for style in styles
        for colour in colours
        for size in SIZES
    ]


def test_order_lines_check_queries_do_not_grow_with_lines_or_styles(django_assert_num_queries):
    one, many = [StyleFactory()], StyleFactory.create_batch(3, buyer=StyleFactory().buyer)
    with django_assert_num_queries(2):  # the styles with their size ranges, their colourways
        assert services.order_lines_check(buyer_id=one[0].buyer_id, lines=_lines(one, colours=["Navy"])) == {}
    lines = _lines(many)
    with django_assert_num_queries(2):
        assert services.order_lines_check(buyer_id=many[0].buyer_id, lines=lines) == {}
    assert (len(lines), lines[0].colour, lines[0].size) == (72, "Navy", "XS")  # respelled as the style spells them


def test_order_grid_check_queries_do_not_grow_with_grid_lines(django_assert_num_queries):
    styles = StyleFactory.create_batch(3, buyer=StyleFactory().buyer)
    grid = [
        {"style": style, "unit_price": Decimal("2.50"), "quantities": {"navy": {"m": 3, "l": 0}}} for style in styles
    ]
    with django_assert_num_queries(2):
        lines, errors = services.order_grid_check(buyer_id=styles[0].buyer_id, grid=grid)
    assert errors == {}
    assert [(line["style"], line["colour"], line["size"], line["quantity"]) for line in lines] == [
        (style, "Navy", "M", 3) for style in styles
    ]


def test_order_create_refuses_a_style_without_size_range_whoever_calls_it():
    style = StyleFactory(size_range=None)
    line = {"style": style, "colour": "Navy", "size": "M", "quantity": 1, "unit_price": Decimal(1)}
    with pytest.raises(ValidationError) as refused:
        services.order_create(buyer=style.buyer, ship_date=datetime.date(2027, 3, 1), lines=[line])
    assert refused.value.message_dict == {
        "lines": [f"Line 1: style: Style {style.code} has no size range; set one before taking orders."]
    }
    assert not Order.objects.exists()
