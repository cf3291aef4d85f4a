"""A salesperson changes a saved order in the admin: a quantity in its grid, and a second style added."""

import pytest

from tests.browser.helpers import log_in_as_staff, pick
from tests.orders.factories import OrderFactory, OrderLineFactory
from tests.samples.factories import StyleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_order_grid_edited_with_a_style_added(page, live_server):
    log_in_as_staff(page, live_server)
    shirt = StyleFactory(code="OXF-01", name="Oxford shirt")
    StyleFactory(code="POLO-02", name="Pique polo", buyer=shirt.buyer)
    order = OrderFactory(buyer=shirt.buyer)
    OrderLineFactory(order=order, style=shirt, colour="Navy", size="M", quantity=100, unit_price="6.40")

    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    page.fill('input[name="blocks-0-quantities[Navy][M]"]', "120")
    page.click(".order-grid-add")
    pick(page, "id_blocks-1-style", "POLO-02")
    page.fill("#id_blocks-1-unit_price", "8.00")
    page.fill('input[name="blocks-1-quantities[Red][XL]"]', "25")
    assert page.locator(".order-grid-block[data-prefix='blocks-1'] .order-grid-total").inner_text() == "25"
    page.click("input[name=_continue]")

    page.wait_for_selector(".messagelist .success")
    assert page.locator(".field-total .readonly").inner_text() == "968.00"  # 120 x 6.40 + 25 x 8.00
    assert set(order.lines.values_list("style__code", "colour", "size", "quantity")) == {
        ("OXF-01", "Navy", "M", 120),
        ("POLO-02", "Red", "XL", 25),
    }
