from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.orders.models import Order, OrderLine
from tests.orders.factories import OrderFactory, OrderLineFactory, order_with_lines
from tests.samples.factories import StyleFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/orders/order/add/"


def grid_form(blocks, *, initial_forms: int = 0, **order_fields) -> dict:
    """The POST body of the admin's order form. blocks: [(style, unit price, {colour: {size: quantity}})];
    the first `initial_forms` of them stand for the blocks the change page showed."""
    data = {
        "buyer_reference": "PO-1",
        "order_date": "2026-11-20",
        "ship_date": "2027-02-01",
        "currency": "GBP",
        "notes": "",
        "blocks-TOTAL_FORMS": str(len(blocks)),
        "blocks-INITIAL_FORMS": str(initial_forms),
        "blocks-MIN_NUM_FORMS": "0",
        "blocks-MAX_NUM_FORMS": "1000",
        "milestones-TOTAL_FORMS": "0",  # the T&A inline: these orders have no milestones planned
        "milestones-INITIAL_FORMS": "0",
        **order_fields,
    }
    for index, (style, unit_price, matrix) in enumerate(blocks):
        data.update({f"blocks-{index}-style": style.pk if style else "", f"blocks-{index}-unit_price": unit_price})
        for colour, row in matrix.items():
            data.update({f"blocks-{index}-quantities[{colour}][{size}]": quantity for size, quantity in row.items()})
    return data


def saved_lines(order) -> set:
    return set(order.lines.values_list("style__code", "colour", "size", "quantity", "unit_price"))


def test_order_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    assert_queries_constant(staff_client, "/admin/orders/order/", lambda n: [order_with_lines(1) for _ in range(n)])


def test_order_admin_saves_the_grid_as_one_line_per_sku(staff_client):
    shirt = StyleFactory(code="SHIRT")
    polo = StyleFactory(code="POLO", buyer=shirt.buyer)
    shirt_grid = {"navy": {"m": "100", "L": "50", "XL": ""}, "White": {"M": "0", "S": "20"}}
    data = grid_form([(shirt, "5.10", shirt_grid), (polo, "7.00", {"Red": {"XS": "3"}})], buyer=shirt.buyer_id)

    response = staff_client.post(ADD, data)

    assert response.status_code == 302, list(response.context["errors"])
    order = Order.objects.get()
    assert order.number.startswith("SO")
    # Colours and sizes spelled as the style names them; blanks and zeros are no line.
    assert saved_lines(order) == {
        ("SHIRT", "Navy", "M", 100, Decimal("5.10")),
        ("SHIRT", "Navy", "L", 50, Decimal("5.10")),
        ("SHIRT", "White", "S", 20, Decimal("5.10")),
        ("POLO", "Red", "XS", 3, Decimal("7.00")),
    }
    assert order.total == Decimal("888.00")  # 170 x 5.10 + 3 x 7.00


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ({"Navy": {"XXXL": "5"}}, "Size XXXL is not in this style&#x27;s size range (XS, S, M, L, XL, XXL)."),
        ({"Teal": {"M": "5"}}, "Teal is not a colourway of this style"),
        ({"Navy": {"M": "2.5"}}, "Navy/M: &#x27;2.5&#x27; is not a whole number of pieces."),
        ({"Navy": {"M": ""}}, "The grid has no quantities."),
    ],
)
def test_order_admin_refuses_a_bad_grid(staff_client, matrix, message):
    style = StyleFactory()
    response = staff_client.post(ADD, grid_form([(style, "5", matrix)], buyer=style.buyer_id))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The order lines have problems: see the grid below." in page
    assert message in page
    assert not Order.objects.exists()


def test_order_admin_refuses_a_style_of_another_buyer(staff_client):
    style, foreign = StyleFactory(), StyleFactory(code="FOREIGN")
    blocks = [(style, "5", {"Navy": {"M": "10"}}), (foreign, "5", {"Navy": {"M": "10", "L": "4"}})]
    response = staff_client.post(ADD, grid_form(blocks, buyer=style.buyer_id))
    assert response.status_code == 200
    block = response.context["adminform"].form.grid.forms[1]
    assert block.errors["style"] == ["Style FOREIGN belongs to another buyer."]  # once, not once per cell
    assert not Order.objects.exists()


def test_order_admin_refuses_an_inactive_buyer_on_the_form(staff_client):
    style = StyleFactory(buyer__is_active=False, buyer__code="GONE")
    response = staff_client.post(ADD, grid_form([(style, "5", {"Navy": {"M": "10"}})], buyer=style.buyer_id))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["buyer"] == ["Buyer GONE is inactive."]
    assert not Order.objects.exists()


def test_order_admin_requires_a_line(staff_client):
    style = StyleFactory()
    response = staff_client.post(ADD, grid_form([(None, "", {})], buyer=style.buyer_id))
    assert response.status_code == 200
    assert "An order needs at least one line" in response.content.decode()
    assert not Order.objects.exists()


def draft_with_lines(style, *cells, unit_price="5.00") -> Order:
    order = OrderFactory(buyer=style.buyer)
    for colour, size, quantity in cells:
        OrderLineFactory(order=order, style=style, colour=colour, size=size, quantity=quantity, unit_price=unit_price)
    return order


def test_order_admin_shows_the_lines_as_a_grid_per_style_and_price(staff_client):
    style = StyleFactory(code="TEE")
    order = draft_with_lines(style, ("Navy", "M", 10), ("White", "L", 4))
    OrderLineFactory(order=order, style=style, colour="Navy", size="S", quantity=7, unit_price="6.00")

    response = staff_client.get(f"/admin/orders/order/{order.pk}/change/")

    grid = response.context["adminform"].form.grid
    assert [block.initial for block in grid.forms] == [
        {"style": style.pk, "unit_price": Decimal("5.00"), "quantities": {"Navy": {"M": 10}, "White": {"L": 4}}},
        {"style": style.pk, "unit_price": Decimal("6.00"), "quantities": {"Navy": {"S": 7}}},
    ]
    page = response.content.decode()
    assert 'name="blocks-0-quantities[Navy][M]" value="10"' in page
    assert 'name="blocks-0-quantities[Navy][XS]" value=""' in page  # every size of the range is a cell
    assert '<td class="order-grid-total">14</td>' in page


def test_order_admin_edit_replaces_the_lines_and_the_total(staff_client):
    style = StyleFactory(code="TEE")
    order = draft_with_lines(style, ("Navy", "M", 10))
    data = grid_form([(style, "2.50", {"Navy": {"M": "3", "L": "1"}})], initial_forms=1, currency=order.currency)

    response = staff_client.post(f"/admin/orders/order/{order.pk}/change/", data)

    assert response.status_code == 302
    order.refresh_from_db()
    assert saved_lines(order) == {("TEE", "Navy", "M", 3, Decimal("2.50")), ("TEE", "Navy", "L", 1, Decimal("2.50"))}
    assert order.total == Decimal("10.00")
    assert OrderLine.history.filter(order_id=order.pk, history_type="-").count() == 1  # the replaced line


def test_order_admin_edit_removes_a_style_block(staff_client):
    tee = StyleFactory(code="TEE")
    polo = StyleFactory(code="POLO", buyer=tee.buyer)
    order = draft_with_lines(tee, ("Navy", "M", 10))
    OrderLineFactory(order=order, style=polo, colour="Red", size="S", quantity=2, unit_price="5.00")
    blocks = [(tee, "5.00", {"Navy": {"M": "10"}}), (polo, "5.00", {"Red": {"S": "2"}})]
    data = grid_form(blocks, initial_forms=2, currency=order.currency, **{"blocks-1-DELETE": "True"})

    assert staff_client.post(f"/admin/orders/order/{order.pk}/change/", data).status_code == 302

    assert saved_lines(order) == {("TEE", "Navy", "M", 10, Decimal("5.00"))}


def test_order_admin_keeps_unchanged_lines_when_the_header_changes(staff_client):
    style = StyleFactory()
    order = draft_with_lines(style, ("Navy", "M", 10))
    line_ids = list(order.lines.values_list("id", flat=True))
    data = grid_form([(style, "5.00", {"Navy": {"M": "10"}})], initial_forms=1, currency=order.currency, notes="Rush")

    assert staff_client.post(f"/admin/orders/order/{order.pk}/change/", data).status_code == 302

    order.refresh_from_db()
    assert order.notes == "Rush"
    assert list(order.lines.values_list("id", flat=True)) == line_ids  # not deleted and written again


def test_order_admin_confirm_action(staff_client):
    draft, shipped = order_with_lines(), order_with_lines(status="shipped")
    response = staff_client.post(
        "/admin/orders/order/", {"action": "move_to_confirmed", "_selected_action": [draft.pk, shipped.pk]}, follow=True
    )
    assert "1 moved to confirmed." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "confirmed"


def test_order_admin_lines_are_read_only_once_in_production(staff_client):
    style = StyleFactory(code="TEE")
    editable, frozen = draft_with_lines(style, ("Navy", "M", 10)), draft_with_lines(style, ("Navy", "M", 10))
    Order.objects.filter(pk=editable.pk).update(status="confirmed")
    Order.objects.filter(pk=frozen.pk).update(status="in_production")

    editable_page = staff_client.get(f"/admin/orders/order/{editable.pk}/change/").content.decode()
    assert 'name="blocks-0-quantities[Navy][M]"' in editable_page
    page = staff_client.get(f"/admin/orders/order/{frozen.pk}/change/").content.decode()
    assert 'name="blocks-' not in page  # no inputs, no management form
    assert '<td class="order-grid-total">10</td>' in page
    assert "Add a style" not in page

    data = grid_form([(style, "1.00", {"Navy": {"M": "99"}})], initial_forms=1, notes="Late fabric")
    assert staff_client.post(f"/admin/orders/order/{frozen.pk}/change/", data).status_code == 302
    frozen.refresh_from_db()
    assert frozen.notes == "Late fabric"
    assert saved_lines(frozen) == {("TEE", "Navy", "M", 10, Decimal("5.00"))}  # the posted grid is ignored


def test_order_admin_grid_table_of_a_picked_style(staff_client):
    style = StyleFactory(colourways=["Ecru", "Olive"])
    response = staff_client.get("/admin/orders/order/grid/", {"style": style.pk, "prefix": "blocks-3"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('name="blocks-3-quantities[') == 12  # 2 colourways x 6 sizes
    assert 'aria-label="Olive XXL"' in page

    bare = StyleFactory(size_range=None, colourways=[])
    assert (
        "needs a size range and colourways"
        in staff_client.get("/admin/orders/order/grid/", {"style": bare.pk, "prefix": "blocks-0"}).content.decode()
    )
    assert staff_client.get("/admin/orders/order/grid/", {"style": style.pk, "prefix": "x><"}).status_code == 400


def test_order_admin_grid_table_of_a_style_that_is_no_id(staff_client):
    """ "²" passes str.isdigit() but not int(): no table, not a server error."""
    for style in ("²", "٣", "12x", "99999999999999999999999"):
        response = staff_client.get("/admin/orders/order/grid/", {"style": style, "prefix": "blocks-0"})
        assert response.status_code == 200
        assert "Choose a style to enter its quantities" in response.content.decode()
    assert staff_client.get("/admin/orders/order/grid/", {"style": "1", "prefix": "blocks-²"}).status_code == 400


def test_order_admin_refuses_a_quantity_that_is_no_whole_number(staff_client):
    style = StyleFactory()
    data = grid_form([(style, "5", {"Navy": {"M": "²", "L": "٣"}})], buyer=style.buyer_id)
    response = staff_client.post(ADD, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Navy/M: &#x27;²&#x27; is not a whole number of pieces." in page
    assert "Navy/L: &#x27;٣&#x27; is not a whole number of pieces." in page
    assert 'name="blocks-0-quantities[Navy][M]" value="²"' in page  # shown again as typed, counted as none
    assert not Order.objects.exists()


def test_order_admin_change_page_query_count_is_constant_in_style_blocks(staff_client):
    counts = []
    for blocks in (2, 8):
        first = StyleFactory()
        styles = [first, *(StyleFactory(buyer=first.buyer) for _ in range(blocks - 1))]
        order = OrderFactory(buyer=first.buyer)
        for style in styles:
            OrderLineFactory(order=order, style=style, colour="Navy", size="M", quantity=5, unit_price="5.00")
        url = f"/admin/orders/order/{order.pk}/change/"
        staff_client.get(url)  # warm the per-user caches (session, permissions)
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(url)
        assert response.status_code == 200
        assert len(response.context["adminform"].form.grid.forms) == blocks
        counts.append(len(queries))
    assert counts[0] == counts[1], f"queries grew with style blocks: {counts}"
