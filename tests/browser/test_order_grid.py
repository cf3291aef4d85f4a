"""A salesperson keys a new order as a colour x size grid in the admin, watches the totals, and saves it."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from apps.orders.models import Order
from tests.browser.helpers import log_in_as_staff, pick
from tests.samples.factories import StyleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOT = Path(settings.BASE_DIR) / "var" / "test-artifacts" / "order-grid.png"


def cell(page, colour: str, size: str, block: int = 0):
    return page.locator(f'input[name="blocks-{block}-quantities[{colour}][{size}]"]')


def test_order_entered_as_a_grid_is_saved_as_one_line_per_sku(page, live_server):
    log_in_as_staff(page, live_server)
    style = StyleFactory(code="OXF-01", name="Oxford shirt")  # XS-XXL; Navy, White, Black, Red

    page.goto(f"{live_server.url}/admin/orders/order/add/")
    pick(page, "id_buyer", style.buyer.code)
    page.fill("#id_ship_date", "2027-03-01")
    page.fill("#id_currency", "GBP")
    pick(page, "id_blocks-0-style", "OXF-01")  # the style's table is fetched in place of the notice
    page.fill("#id_blocks-0-unit_price", "6.40")
    cell(page, "Navy", "S").fill("30")
    cell(page, "Navy", "M").fill("120")
    cell(page, "Navy", "L").fill("80")
    cell(page, "White", "M").fill("60")
    cell(page, "White", "L").fill("40")
    # From the keyboard: Enter moves down the column instead of submitting the form.
    cell(page, "Navy", "S").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("10")
    assert cell(page, "White", "S").input_value() == "10"

    table = page.locator(".order-grid-block[data-prefix='blocks-0'] .order-grid-table")
    row_totals = table.locator(".order-grid-row-total").all_inner_texts()
    assert row_totals == ["230", "110", "0", "0"]  # Navy, White, Black, Red
    column_totals = table.locator(".order-grid-column-total").all_inner_texts()
    assert column_totals == ["0", "40", "180", "120", "0", "0"]  # XS, S, M, L, XL, XXL
    assert table.locator(".order-grid-total").inner_text() == "340"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.click("input[name=_continue]")  # save and keep editing: the page shows the saved order
    page.wait_for_selector(".messagelist .success")

    order = Order.objects.get()
    assert set(order.lines.values_list("style__code", "colour", "size", "quantity", "unit_price")) == {
        ("OXF-01", colour, size, quantity, Decimal("6.40"))
        for colour, size, quantity in [
            ("Navy", "S", 30),
            ("Navy", "M", 120),
            ("Navy", "L", 80),
            ("White", "S", 10),
            ("White", "M", 60),
            ("White", "L", 40),
        ]
    }
    assert order.total == Decimal("2176.00")  # 340 x 6.40
    assert page.locator(".field-total .readonly").inner_text() == "2176.00"
    assert cell(page, "White", "S").input_value() == "10"  # the change page shows the saved grid
