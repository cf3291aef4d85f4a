from decimal import Decimal

import pytest

from apps.orders.models import Order
from tests.orders.factories import order_with_lines
from tests.samples.factories import StyleFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/orders/order/add/"


def inline_form(style, lines, **order_fields):
    """The POST body of the admin's order form with its line inline."""
    data = {
        "buyer": style.buyer_id,
        "buyer_reference": "PO-1",
        "order_date": "2026-11-20",
        "ship_date": "2027-02-01",
        "currency": "GBP",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        **order_fields,
    }
    for index, (line_style, colour, size, quantity, price) in enumerate(lines):
        data.update(
            {
                f"lines-{index}-style": line_style.pk,
                f"lines-{index}-colour": colour,
                f"lines-{index}-size": size,
                f"lines-{index}-quantity": quantity,
                f"lines-{index}-unit_price": price,
            }
        )
    return data


def test_order_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    assert_queries_constant(staff_client, "/admin/orders/order/", lambda n: [order_with_lines(1) for _ in range(n)])


def test_order_admin_creates_an_order_with_lines_and_its_total(staff_client):
    style = StyleFactory()
    data = inline_form(style, [(style, "Navy", "M", 100, "5.10"), (style, "Navy", "L", 50, "5.30")])
    response = staff_client.post(ADD, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    order = Order.objects.get()
    assert order.number.startswith("SO")
    assert order.total == Decimal("775.00")  # 100 x 5.10 + 50 x 5.30
    assert order.lines.count() == 2


def test_order_admin_applies_the_line_rules(staff_client):
    style, foreign = StyleFactory(), StyleFactory()
    data = inline_form(style, [(style, "Navy", "M", 10, "5"), (foreign, "Navy", "M", 10, "5")])
    response = staff_client.post(ADD, data)
    assert response.status_code == 200
    assert "belongs to another buyer" in response.content.decode()
    assert not Order.objects.exists()


def test_order_admin_requires_a_line(staff_client):
    style = StyleFactory()
    response = staff_client.post(ADD, inline_form(style, []))
    assert response.status_code == 200
    assert not Order.objects.exists()


def test_order_admin_edit_recalculates_the_total(staff_client):
    order = order_with_lines(lines=1)
    line = order.lines.get()
    data = inline_form(line.style, [], currency=order.currency)
    data.update(
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-id": line.pk,
            "lines-0-order": order.pk,
            "lines-0-style": line.style_id,
            "lines-0-colour": line.colour,
            "lines-0-size": line.size,
            "lines-0-quantity": "3",
            "lines-0-unit_price": "2.50",
        }
    )
    response = staff_client.post(f"/admin/orders/order/{order.pk}/change/", data)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.total == Decimal("7.50")


def test_order_admin_confirm_action(staff_client):
    draft, shipped = order_with_lines(), order_with_lines(status="shipped")
    response = staff_client.post(
        "/admin/orders/order/", {"action": "move_to_confirmed", "_selected_action": [draft.pk, shipped.pk]}, follow=True
    )
    assert "1 moved to confirmed." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "confirmed"


def test_order_admin_lines_are_read_only_once_in_production(staff_client):
    editable, frozen = order_with_lines(status="confirmed"), order_with_lines(status="in_production")
    for order, expected in ((editable, True), (frozen, False)):
        inline = staff_client.get(f"/admin/orders/order/{order.pk}/change/").context["inline_admin_formsets"][0]
        assert (inline.has_add_permission, inline.has_change_permission, inline.has_delete_permission) == (
            expected,
        ) * 3
