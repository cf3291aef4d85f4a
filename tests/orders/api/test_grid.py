"""Orders entered and read as colour x size grids (stored one OrderLine per SKU)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.orders.models import Order, OrderLine
from tests.helpers import assert_error_shape
from tests.samples.factories import SizeRangeFactory, StyleFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
COLOURS = ["Navy", "White", "Black", "Red"]  # StyleFactory's colourways
SIZES = ["XS", "S", "M", "L", "XL", "XXL"]  # and its size range


def full_matrix(colours=COLOURS, sizes=SIZES) -> dict:
    return {
        colour: {size: 10 * row + column + 1 for column, size in enumerate(sizes)} for row, colour in enumerate(colours)
    }


def grid_order(style, *grid_lines, **fields) -> dict:
    return {"buyer": style.buyer_id, "ship_date": "2027-03-01", "grid": list(grid_lines), **fields}


def grid_line(style, quantities, unit_price="6.40") -> dict:
    return {"style": style.pk, "unit_price": unit_price, "quantities": quantities}


def invalid_fields(response) -> dict:
    return assert_error_shape(response, 400, "invalid")["fields"]


def test_order_grid_of_4_colours_by_6_sizes_stores_24_lines_and_reads_back_the_same_matrix(client_for):
    style, matrix = StyleFactory(), full_matrix()
    client = client_for("sales")
    response = client.post(ORDERS, grid_order(style, grid_line(style, matrix)), format="json")
    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    assert sorted(order.lines.values_list("colour", "size", "quantity")) == sorted(
        (colour, size, quantity) for colour, row in matrix.items() for size, quantity in row.items()
    )
    total_quantity = sum(sum(row.values()) for row in matrix.values())
    expected = {
        "style": style.pk,
        "style_code": style.code,
        "unit_price": "6.40",
        "colours": COLOURS,
        "sizes": SIZES,
        "quantities": matrix,
        "total_quantity": total_quantity,
        "amount": f"{total_quantity * 6.4:.2f}",
    }
    assert response.json()["grid"] == [expected]
    read = client.get(f"{ORDERS}{order.pk}/").json()
    assert read["grid"] == [expected]
    assert list(read["grid"][0]["quantities"]) == COLOURS  # rows and columns in the style's order
    assert [list(row) for row in read["grid"][0]["quantities"].values()] == [SIZES] * 4
    assert (len(read["lines"]), read["total"]) == (24, expected["amount"])


def test_order_grid_is_stored_in_the_styles_spelling_and_groups_by_style_and_price(client_for):
    style = StyleFactory()
    body = grid_order(
        style,
        grid_line(style, {"navy": {"m": 5, "l": None, "xl": 0}}),
        grid_line(style, {"WHITE": {"xs": 2}}, unit_price="7.00"),
    )
    response = client_for("sales").post(ORDERS, body, format="json")
    assert response.status_code == 201, response.json()
    assert sorted(OrderLine.objects.values_list("colour", "size", "quantity")) == [("Navy", "M", 5), ("White", "XS", 2)]
    grid = response.json()["grid"]
    assert [(line["unit_price"], line["colours"], line["sizes"], line["quantities"]) for line in grid] == [
        ("6.40", ["Navy"], ["M"], {"Navy": {"M": 5}}),
        ("7.00", ["White"], ["XS"], {"White": {"XS": 2}}),
    ]


@pytest.mark.parametrize(
    ("quantities", "message"),
    [
        ({"Navy": {"M": 5, "3XL": 2}}, "Size 3XL is not in this style's size range (XS, S, M, L, XL, XXL)."),
        (
            {"Navy": {"M": 5}, "Teal": {"M": 2}},
            "Teal is not a colourway of this style (it has Navy, White, Black, Red).",
        ),
    ],
    ids=["size outside the range", "unknown colour"],
)
def test_order_grid_outside_the_styles_specs_is_refused_and_writes_nothing(client_for, quantities, message):
    style = StyleFactory()
    ok = grid_line(style, {"White": {"S": 1}})
    response = client_for("sales").post(ORDERS, grid_order(style, ok, grid_line(style, quantities)), format="json")
    assert invalid_fields(response) == {"grid": {"1": {"quantities": [message]}}}  # the second grid line
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_order_with_lines_and_grid_together_is_400(client_for):
    style = StyleFactory()
    body = grid_order(
        style,
        grid_line(style, {"Navy": {"M": 5}}),
        lines=[{"style": style.pk, "colour": "Navy", "size": "L", "quantity": 1, "unit_price": "6.40"}],
    )
    assert invalid_fields(client_for("sales").post(ORDERS, body, format="json")) == {
        "grid": ["Send the lines either as lines or as grid, not both."]
    }
    assert not Order.objects.exists()


def test_order_without_lines_or_grid_is_400(client_for):
    style = StyleFactory()
    body = {"buyer": style.buyer_id, "ship_date": "2027-03-01"}
    assert invalid_fields(client_for("sales").post(ORDERS, body, format="json")) == {
        "lines": ["Send the order's lines, as lines or as grid."]
    }


@pytest.mark.parametrize(
    ("style_fields", "message"),
    [
        ({"size_range": None}, "Style {code} has no size range; set one before taking orders."),
        ({"colourways": []}, "Style {code} has no colourways; add them before taking orders."),
    ],
)
def test_order_grid_needs_a_style_with_size_range_and_colourways(client_for, style_fields, message):
    style = StyleFactory(**style_fields)
    response = client_for("sales").post(ORDERS, grid_order(style, grid_line(style, {"Navy": {"M": 1}})), format="json")
    assert invalid_fields(response) == {"grid": {"0": {"style": [message.format(code=style.code)]}}}
    assert not Order.objects.exists()


def test_order_grid_refuses_a_sku_in_two_grid_lines_and_bad_cells(client_for):
    style = StyleFactory()
    body = grid_order(
        style,
        grid_line(style, {"Navy": {"M": 1}}),
        grid_line(style, {"navy": {"M": 2}}, unit_price="7.00"),
        grid_line(style, {"Navy": {"S": "many", "L": -1}}),
    )
    fields = invalid_fields(client_for("sales").post(ORDERS, body, format="json"))
    assert fields["grid"]["2"]["quantities"] == {
        "Navy": {"S": ["A valid integer is required."], "L": ["Ensure this value is greater than or equal to 0."]}
    }
    del body["grid"][2]
    fields = invalid_fields(client_for("sales").post(ORDERS, body, format="json"))
    assert fields == {"grid": {"1": {"quantities": [f"{style.code} Navy/M is also in grid line 1."]}}}
    assert not Order.objects.exists()


def test_order_grid_style_of_another_buyer_is_refused(client_for):
    style, foreign = StyleFactory(), StyleFactory()
    body = grid_order(style, grid_line(foreign, {"Navy": {"M": 1}}))
    assert invalid_fields(client_for("sales").post(ORDERS, body, format="json")) == {
        "grid": {"0": {"style": [f"Style {foreign.code} belongs to another buyer."]}}
    }


def test_order_put_and_patch_with_grid_replace_the_lines(client_for):
    style = StyleFactory()
    client = client_for("sales")
    order = client.post(ORDERS, grid_order(style, grid_line(style, full_matrix())), format="json").json()
    url = f"{ORDERS}{order['id']}/"
    replacement = {"ship_date": "2027-04-01", "grid": [grid_line(style, {"Black": {"L": 4}}, unit_price="5.00")]}
    response = client.put(url, replacement, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["total"], response.json()["grid"][0]["quantities"]) == ("20.00", {"Black": {"L": 4}})
    response = client.patch(url, {"grid": [grid_line(style, {"Red": {"XS": 1, "XXL": 2}})]}, format="json")
    assert response.status_code == 200, response.json()
    assert sorted(OrderLine.objects.values_list("colour", "size")) == [("Red", "XS"), ("Red", "XXL")]
    response = client.patch(url, {"grid": [grid_line(style, {"Red": {"4XL": 1}})]}, format="json")
    assert "grid" in invalid_fields(response)
    assert OrderLine.objects.count() == 2  # untouched


def test_order_lines_outside_the_styles_specs_are_refused_per_line(client_for):
    style = StyleFactory()
    lines = [
        {"style": style.pk, "colour": "navy", "size": "m", "quantity": 1, "unit_price": "1"},
        {"style": style.pk, "colour": "Teal", "size": "3XL", "quantity": 1, "unit_price": "1"},
    ]
    body = {"buyer": style.buyer_id, "ship_date": "2027-03-01", "lines": lines}
    client = client_for("sales")
    assert invalid_fields(client.post(ORDERS, body, format="json")) == {
        "lines": {
            "1": {
                "colour": [f"Teal is not a colourway of {style.code} (Navy, White, Black, Red)."],
                "size": [f"Size 3XL is not in {style.code}'s size range (XS, S, M, L, XL, XXL)."],
            }
        }
    }
    del body["lines"][1]
    response = client.post(ORDERS, body, format="json")
    assert response.status_code == 201, response.json()
    assert [(line["colour"], line["size"]) for line in response.json()["lines"]] == [("Navy", "M")]


def _create_queries(client, style, matrix) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(ORDERS, grid_order(style, grid_line(style, matrix)), format="json")
    assert response.status_code == 201, response.json()
    return len(queries)


def test_order_create_via_grid_query_count_does_not_grow_with_cells(client_for):
    style = StyleFactory()
    client = client_for("sales")
    _create_queries(client, style, full_matrix())  # warm the session and permission caches
    small = _create_queries(client, style, full_matrix(COLOURS[:2], SIZES[:2]))
    large = _create_queries(client, style, full_matrix())
    assert small == large, f"2x2: {small} queries, 4x6: {large}"


def test_order_grid_is_documented_in_the_schema(client_for):
    schema = client_for("viewer").get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    quantities = schema["OrderGridLineRequest"]["properties"]["quantities"]
    assert quantities["type"] == "object" and "Navy" in quantities["description"]
    assert quantities["additionalProperties"]["additionalProperties"]["type"] == "integer"
    assert {"grid", "lines"} <= set(schema["OrderRequest"]["properties"])
    assert {"colours", "sizes", "quantities", "total_quantity", "amount"} <= set(schema["OrderGridLine"]["properties"])


def test_a_size_ranges_spelling_is_the_stored_one(client_for):
    style = StyleFactory(size_range=SizeRangeFactory(code="KIDS", sizes=["2Y", "4Y", "6Y"]))
    body = grid_order(style, grid_line(style, {"Navy": {"2y": 3, "6y": 1}}))
    response = client_for("sales").post(ORDERS, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["grid"][0]["sizes"] == ["2Y", "6Y"]
