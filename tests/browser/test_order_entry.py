"""A salesperson keys an order with two lines through the admin's inline form and sees its total."""

import pytest

from apps.orders.models import Order
from tests.factories import UserFactory
from tests.samples.factories import StyleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def pick(page, select_id: str, text: str):
    """Choose `text` in one of the admin's autocomplete (select2) widgets."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", text)
    page.click(f".select2-container--open .select2-results__option:has-text('{text}')")


def test_order_with_two_lines_through_the_inline_form(page, live_server):
    UserFactory(username="clerk", password="s3cret-pass!", is_staff=True, is_superuser=True)
    style = StyleFactory(code="OXF-01", name="Oxford shirt")

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "s3cret-pass!")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/orders/order/add/")

    pick(page, "id_buyer", style.buyer.code)
    page.fill("#id_ship_date", "2027-03-01")
    page.fill("#id_currency", "GBP")
    page.click(".add-row a")  # a second line next to the one shown
    for index, (size, quantity, price) in enumerate([("M", "120", "6.40"), ("L", "80", "6.60")]):
        pick(page, f"id_lines-{index}-style", "OXF-01")
        page.fill(f"#id_lines-{index}-colour", "Navy")
        page.fill(f"#id_lines-{index}-size", size)
        page.fill(f"#id_lines-{index}-quantity", quantity)
        page.fill(f"#id_lines-{index}-unit_price", price)
    page.click("input[name=_continue]")  # save and keep editing, so the page shows the saved order

    page.wait_for_selector(".messagelist .success")
    assert page.locator(".field-total .readonly").inner_text() == "1296.00"  # 120 x 6.40 + 80 x 6.60
    assert Order.objects.get().lines.count() == 2
