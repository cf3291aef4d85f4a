from decimal import Decimal

import pytest

from apps.orders.models import Order, OrderLine
from tests.orders.factories import OrderFactory, OrderLineFactory, order_with_lines
from tests.samples.factories import StyleFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
LINES = "/api/v1/order-lines/"


def error_fields(response, status_code=400):
    assert response.status_code == status_code, response.content
    return response.json()["error"]["fields"]


def payload(style, **overrides):
    return {
        "buyer": style.buyer_id,
        "buyer_reference": "PO-4471",
        "ship_date": "2027-03-01",
        "lines": [
            {"style": style.pk, "colour": "Navy", "size": "M", "quantity": 120, "unit_price": "6.40"},
            {"style": style.pk, "colour": "Navy", "size": "L", "quantity": 80, "unit_price": "6.60"},
        ],
        **overrides,
    }


def test_order_with_lines_is_created_in_one_request(client_for):
    style = StyleFactory()
    response = client_for("sales").post(ORDERS, payload(style), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["total"] == "1296.00"  # 120 x 6.40 + 80 x 6.60
    assert [line["amount"] for line in body["lines"]] == ["768.00", "528.00"]
    assert body["currency"] == style.buyer.currency and body["status"] == "draft"
    assert body["allowed_transitions"] == ["cancelled", "confirmed"]


def test_order_put_replaces_lines_and_total(client_for):
    style = StyleFactory()
    client = client_for("sales")
    order = client.post(ORDERS, payload(style), format="json").json()
    replacement = payload(
        style, lines=[{"style": style.pk, "colour": "Red", "size": "S", "quantity": 10, "unit_price": "7.00"}]
    )
    replacement.pop("buyer")
    response = client.put(f"{ORDERS}{order['id']}/", replacement, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["total"] == "70.00"
    assert list(OrderLine.objects.filter(order_id=order["id"]).values_list("colour", flat=True)) == ["Red"]


def test_order_patch_header_keeps_lines(client_for):
    order = order_with_lines(lines=2)
    response = client_for("sales").patch(f"{ORDERS}{order.pk}/", {"notes": "Rush"}, format="json")
    assert response.status_code == 200
    assert (response.json()["notes"], len(response.json()["lines"])) == ("Rush", 2)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"buyer": 999999}, "buyer"),
        ({"ship_date": "01/03/2027"}, "ship_date"),
        ({"lines": []}, "lines"),
        ({"lines": [{"style": 999999, "colour": "Navy", "size": "M", "quantity": 1, "unit_price": "1"}]}, "lines"),
        ({"lines": [{"style": "STYLE", "colour": "Navy", "size": "M", "quantity": -5, "unit_price": "1"}]}, "lines"),
    ],
)
def test_order_create_bad_input_is_400_and_writes_nothing(client_for, change, field):
    style = StyleFactory()
    body = payload(style, **change)
    for entry in body["lines"]:
        if entry["style"] == "STYLE":
            entry["style"] = style.pk
    assert field in error_fields(client_for("sales").post(ORDERS, body, format="json"))
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_order_line_errors_point_at_the_line(client_for):
    style, foreign = StyleFactory(), StyleFactory()
    body = payload(style)
    body["lines"][1]["style"] = foreign.pk
    fields = error_fields(client_for("sales").post(ORDERS, body, format="json"))
    assert fields["lines"] == {"1": {"style": [f"Style {foreign.code} belongs to another buyer."]}}
    body["lines"][1] = dict(body["lines"][0])
    fields = error_fields(client_for("sales").post(ORDERS, body, format="json"))
    assert "appears twice" in fields["lines"]["1"]["size"][0]
    assert not Order.objects.exists()


def test_order_workflow_actions(client_for):
    order = order_with_lines()
    client = client_for("sales")
    for step, status in [
        ("confirm", "confirmed"),
        ("start-production", "in_production"),
        ("ship", "shipped"),
        ("close", "closed"),
    ]:
        response = client.post(f"{ORDERS}{order.pk}/{step}/")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == status


def test_order_illegal_action_is_400_with_the_reason(client_for):
    order = order_with_lines(status="shipped")
    fields = error_fields(client_for("sales").post(f"{ORDERS}{order.pk}/cancel/"))
    assert fields["status"] == ["An order cannot go from 'shipped' to 'cancelled'. Allowed from 'shipped': closed."]
    order.refresh_from_db()
    assert order.status == "shipped"


def test_order_lines_cannot_change_once_in_production(client_for):
    order = order_with_lines(status="in_production")
    style = order.lines.first().style
    body = {"lines": [{"style": style.pk, "colour": "Red", "size": "S", "quantity": 1, "unit_price": "1"}]}
    assert "status" in error_fields(client_for("sales").patch(f"{ORDERS}{order.pk}/", body, format="json"))
    assert order.lines.count() == 2


def test_order_permissions_per_role(client_for, api_client):
    order = order_with_lines()
    style = order.lines.first().style
    assert api_client.get(ORDERS).status_code == 401
    assert client_for().get(ORDERS).status_code == 403
    assert client_for("viewer").get(ORDERS).status_code == 200
    assert client_for("merchandiser").post(ORDERS, payload(style), format="json").status_code == 403
    assert client_for("viewer").post(f"{ORDERS}{order.pk}/confirm/").status_code == 403
    assert client_for("sales").post(f"{ORDERS}{order.pk}/confirm/").status_code == 200


def test_order_list_filters_by_buyer_status_and_dates(client_for):
    match = order_with_lines(status="confirmed", ship_date="2027-01-20")
    order_with_lines(buyer=match.buyer, status="draft", ship_date="2027-01-20")
    order_with_lines(status="confirmed", ship_date="2027-06-01")
    client = client_for("viewer")

    def numbers(**params):
        return [row["number"] for row in client.get(ORDERS, params).json()["results"]]

    assert numbers(buyer=match.buyer_id, status="confirmed") == [match.number]
    assert numbers(status="confirmed", ship_date_before="2027-02-01") == [match.number]
    assert numbers(search=match.number) == [match.number]
    assert "ship_date" in error_fields(client.get(ORDERS, {"ship_date_after": "soon"}))


def test_order_list_shows_line_count(client_for):
    order = order_with_lines(lines=3)
    row = client_for("viewer").get(ORDERS).json()["results"][0]
    assert (row["id"], row["line_count"], Decimal(row["total"])) == (order.pk, 3, order.total)


def test_order_list_query_count_is_constant(client_for, assert_queries_constant):
    assert_queries_constant(
        client_for("viewer"),
        ORDERS,
        lambda n: [order_with_lines(lines=2) for _ in range(n)],
        ceiling=6,
        params={"page_size": 100},
    )


def test_order_detail_query_count_does_not_grow_with_lines(client_for, django_assert_max_num_queries):
    order = OrderFactory()
    OrderLineFactory.create_batch(40, order=order)
    client = client_for("viewer")
    # user, permissions (2), order with buyer, lines with styles and size ranges, the styles' colourways
    with django_assert_max_num_queries(6):
        body = client.get(f"{ORDERS}{order.pk}/").json()
    assert (len(body["lines"]), sum(line["total_quantity"] for line in body["grid"])) == (40, 4000)


def test_order_line_list_filters_and_query_count(client_for, assert_queries_constant):
    order = OrderFactory()
    client = client_for("viewer")
    assert_queries_constant(
        client, LINES, lambda n: OrderLineFactory.create_batch(n, order=order), ceiling=6, params={"page_size": 100}
    )
    other = OrderLineFactory()
    assert [row["id"] for row in client.get(LINES, {"buyer": other.order.buyer_id}).json()["results"]] == [other.pk]
    assert len(client.get(LINES, {"order": order.pk, "page_size": 100}).json()["results"]) == 50


def test_order_lines_endpoint_is_read_only(client_for):
    line = OrderLineFactory()
    response = client_for("sales").post(LINES, {"order": line.order_id}, format="json")
    assert response.status_code == 405
