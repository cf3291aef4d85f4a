"""Size ranges (a lookup list) and the sizes and colourways of styles, through the API."""

import pytest

from apps.samples.models import Colourway, SizeRange
from tests.buyers.factories import BuyerFactory
from tests.helpers import assert_error_shape
from tests.orders.factories import OrderLineFactory
from tests.samples.factories import SizeRangeFactory, StyleFactory, StyleMaterialFactory

pytestmark = pytest.mark.django_db

SIZE_RANGES = "/api/v1/size-ranges/"
STYLES = "/api/v1/styles/"


def invalid_fields(response) -> dict:
    return assert_error_shape(response, 400, "invalid")["fields"]


def test_size_range_create_and_list(client_for):
    client = client_for("merchandiser")
    response = client.post(SIZE_RANGES, {"code": "KIDS", "name": "Kids", "sizes": [" 2Y", "4Y", "6Y "]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["sizes"] == ["2Y", "4Y", "6Y"]
    rows = client.get(SIZE_RANGES, {"search": "kid"}).json()["results"]
    assert [(row["code"], row["sizes"]) for row in rows] == [("KIDS", ["2Y", "4Y", "6Y"])]


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ([], "A size range needs at least one size."),
        (["S", "M", "m"], "M is listed twice (sizes ignore case)."),
    ],
)
def test_size_range_sizes_are_refused_when_empty_or_twice(client_for, sizes, message):
    response = client_for("merchandiser").post(SIZE_RANGES, {"code": "R", "name": "R", "sizes": sizes}, format="json")
    assert invalid_fields(response) == {"sizes": [message]}
    assert not SizeRange.objects.exists()


def test_size_range_keeps_the_sizes_order_lines_use(client_for):
    line = OrderLineFactory(colour="Navy", size="XXL")
    size_range = line.style.size_range
    client = client_for("merchandiser")
    url = f"{SIZE_RANGES}{size_range.pk}/"
    response = client.patch(url, {"sizes": ["XS", "S", "M", "L", "XL"]}, format="json")
    assert invalid_fields(response) == {
        "sizes": [f"Order lines of styles in {size_range.code} use XXL; keep those sizes."]
    }
    size_range.refresh_from_db()
    assert size_range.sizes[-1] == "XXL"
    response = client.patch(url, {"sizes": ["S", "M", "L", "XL", "xxl", "3XL"]}, format="json")  # XS unused
    assert response.status_code == 200, response.json()
    assert response.json()["sizes"] == ["S", "M", "L", "XL", "xxl", "3XL"]


def test_size_range_in_use_cannot_be_deleted(client_for):
    style = StyleFactory()
    client = client_for("merchandiser")
    response = client.delete(f"{SIZE_RANGES}{style.size_range_id}/")
    assert invalid_fields(response) == {
        "size_range": [f"Styles {style.code} use {style.size_range.code}; it cannot be deleted."]
    }
    unused = SizeRangeFactory(code="SPARE")
    assert client.delete(f"{SIZE_RANGES}{unused.pk}/").status_code == 204
    assert list(SizeRange.objects.values_list("code", flat=True)) == [style.size_range.code]


def test_size_range_list_is_cached_and_a_write_shows_at_once(client_for):
    SizeRangeFactory()
    client = client_for("merchandiser")
    assert client.get(SIZE_RANGES)["X-Cache"] == "miss"
    assert client.get(SIZE_RANGES)["X-Cache"] == "hit"
    client.post(SIZE_RANGES, {"code": "NUM", "name": "Numeric", "sizes": ["28", "30"]}, format="json")
    response = client.get(SIZE_RANGES)
    assert response["X-Cache"] == "miss"
    assert [row["code"] for row in response.json()["results"]] == ["NUM", "XS-XXL"]


def test_size_range_list_query_count_is_constant(client_for, assert_queries_constant):
    def make(count):
        start = SizeRange.objects.count()
        for number in range(start, start + count):
            SizeRangeFactory(code=f"R{number:03d}")

    assert_queries_constant(client_for("viewer"), SIZE_RANGES, make, ceiling=5, params={"page_size": 100})


def test_style_shows_and_replaces_its_size_range_and_colourways(client_for):
    buyer, size_range = BuyerFactory(), SizeRangeFactory()
    payload = {
        "code": "OX-SHIRT",
        "name": "Oxford shirt",
        "buyer": buyer.pk,
        "season": "SS27",
        "category": "shirts",
        "size_range": size_range.pk,
        "colourways": [{"name": "Navy", "code": "19-4052 TCX"}, {"name": " Ecru "}],
    }
    client = client_for("merchandiser")
    body = client.post(STYLES, payload, format="json").json()
    assert (body["size_range"], body["sizes"]) == (size_range.pk, ["XS", "S", "M", "L", "XL", "XXL"])
    assert body["colourways"] == [{"name": "Navy", "code": "19-4052 TCX"}, {"name": "Ecru", "code": ""}]
    row = client.get(STYLES, {"search": "OX-SHIRT"}).json()["results"][0]
    assert (row["sizes"], [colourway["name"] for colourway in row["colourways"]]) == (body["sizes"], ["Navy", "Ecru"])
    url = f"{STYLES}{body['id']}/"
    assert client.patch(url, {"name": "Oxford"}, format="json").json()["colourways"] == body["colourways"]
    response = client.patch(url, {"colourways": [{"name": "Black"}], "size_range": None}, format="json")
    assert (response.json()["colourways"], response.json()["sizes"]) == ([{"name": "Black", "code": ""}], [])


def test_style_colourways_refused_twice_or_when_order_lines_use_them(client_for):
    line = OrderLineFactory(colour="Navy", size="M")
    client = client_for("merchandiser")
    url = f"{STYLES}{line.style_id}/"
    response = client.patch(url, {"colourways": [{"name": "White"}, {"name": "white"}]}, format="json")
    assert invalid_fields(response) == {
        "colourways": [
            "White is listed twice (colourways ignore case).",
            f"Order lines of {line.style.code} use Navy; keep those colourways.",
        ]
    }
    assert list(Colourway.objects.filter(style=line.style).values_list("name", flat=True)) == [
        "Navy",
        "White",
        "Black",
        "Red",
    ]
    assert client.patch(url, {"colourways": [{"name": "NAVY"}]}, format="json").status_code == 200


def test_style_size_range_cannot_change_to_one_without_the_sizes_order_lines_use(client_for):
    line = OrderLineFactory(colour="Navy", size="XXL")
    kids = SizeRangeFactory(code="KIDS", sizes=["2Y", "4Y"])
    response = client_for("merchandiser").patch(f"{STYLES}{line.style_id}/", {"size_range": kids.pk}, format="json")
    assert invalid_fields(response) == {
        "size_range": [f"Order lines of {line.style.code} use the sizes XXL; the range must have them."]
    }
    line.style.refresh_from_db()
    assert line.style.size_range.code == "XS-XXL"


def test_style_create_with_bad_colourways_leaves_no_style(client_for):
    payload = {
        "code": "TWICE",
        "name": "Twice",
        "buyer": BuyerFactory().pk,
        "season": "SS27",
        "category": "tops",
        "colourways": [{"name": "Navy"}, {"name": "NAVY"}],
    }
    assert "colourways" in invalid_fields(client_for("merchandiser").post(STYLES, payload, format="json"))
    assert not Colourway.objects.exists()
    assert client_for("viewer").get(STYLES, {"search": "TWICE"}).json()["results"] == []


def test_style_colourways_refused_when_bill_of_materials_lines_use_them(client_for):
    line = StyleMaterialFactory(style=StyleFactory(colourways=["Navy", "White"]), colour="Navy")
    response = client_for("merchandiser").patch(
        f"{STYLES}{line.style_id}/", {"colourways": [{"name": "White"}]}, format="json"
    )
    assert invalid_fields(response) == {
        "colourways": [f"Bill-of-materials lines of {line.style.code} use Navy; keep those colourways."]
    }
    assert list(Colourway.objects.filter(style=line.style).values_list("name", flat=True)) == ["Navy", "White"]
