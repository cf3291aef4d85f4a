"""Size ranges and colourways in the admin: the same rules as the API."""

import re

import pytest

from apps.samples.models import Colourway, SizeRange
from tests.orders.factories import OrderLineFactory
from tests.samples.factories import SizeRangeFactory, StyleFactory, StyleMaterialFactory

pytestmark = pytest.mark.django_db

SIZE_RANGES = "/admin/samples/sizerange/"


def _size_ranges(count):
    start = SizeRange.objects.count()
    for number in range(start, start + count):
        SizeRangeFactory(code=f"R{number:03d}")


def test_size_range_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    assert_queries_constant(staff_client, SIZE_RANGES, _size_ranges, ceiling=6)


def test_size_range_admin_creates_and_searches(staff_client):
    response = staff_client.post(f"{SIZE_RANGES}add/", {"code": "NUM", "name": "Numeric", "sizes": "28, 30 ,32"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert SizeRange.objects.get().sizes == ["28", "30", "32"]
    assert "Numeric" in staff_client.get(SIZE_RANGES, {"q": "num"}).content.decode()


def test_size_range_admin_refuses_twice_and_removing_sizes_in_use(staff_client):
    line = OrderLineFactory(colour="Navy", size="XXL")
    url = f"{SIZE_RANGES}{line.style.size_range_id}/change/"
    response = staff_client.post(url, {"name": "Adults", "sizes": "S,M,m,XXL"})
    assert response.context["adminform"].form.errors["sizes"] == ["M is listed twice (sizes ignore case)."]
    response = staff_client.post(url, {"name": "Adults", "sizes": "S,M,L"})
    assert response.context["adminform"].form.errors["sizes"] == [
        "Order lines of styles in XS-XXL use XXL; keep those sizes."
    ]
    assert SizeRange.objects.get().sizes == ["XS", "S", "M", "L", "XL", "XXL"]


def _style_form(style, colourways: list[dict]) -> dict:
    """The style's change form as the admin posts it, with these colourway rows (ids for existing ones)."""
    data = {
        "code": style.code, "name": style.name, "buyer": style.buyer_id, "season": style.season,
        "category": style.category, "size_range": style.size_range_id, "target_price": "12", "is_active": "on",
        "colourways-TOTAL_FORMS": len(colourways), "colourways-INITIAL_FORMS": style.colourways.count(),
        "colourways-MIN_NUM_FORMS": 0, "colourways-MAX_NUM_FORMS": 1000,
        "materials-TOTAL_FORMS": 0, "materials-INITIAL_FORMS": 0,
        "materials-MIN_NUM_FORMS": 0, "materials-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for index, row in enumerate(colourways):
        data.update({f"colourways-{index}-{field}": value for field, value in row.items()})
        data[f"colourways-{index}-style"] = style.pk
    return data


def test_style_admin_colourway_inline_keeps_those_order_lines_use(staff_client):
    line = OrderLineFactory(colour="Navy", size="M")
    style = line.style
    rows = [
        {
            "id": colourway.pk,
            "name": colourway.name,
            "code": "",
            **({"DELETE": "on"} if colourway.name == "Navy" else {}),
        }
        for colourway in style.colourways.all()
    ]
    response = staff_client.post(f"/admin/samples/style/{style.pk}/change/", _style_form(style, rows))
    assert response.status_code == 200
    assert f"Order lines of {style.code} use Navy; keep those colourways." in response.content.decode()
    rows[0].pop("DELETE")
    rows.append({"name": "ecru", "code": "11-0507"})
    response = staff_client.post(f"/admin/samples/style/{style.pk}/change/", _style_form(style, rows))
    assert response.status_code == 302
    assert list(Colourway.objects.filter(style=style).values_list("name", flat=True)) == [
        "Navy",
        "White",
        "Black",
        "Red",
        "ecru",
    ]


def test_style_change_page_offers_size_range_autocomplete(staff_client):
    style = StyleFactory()
    page = staff_client.get(f"/admin/samples/style/{style.pk}/change/").content.decode()
    assert re.search(r'<select name="size_range"[^>]*class="admin-autocomplete"', page)
    assert "colourways-TOTAL_FORMS" in page


def test_style_admin_refuses_a_size_range_without_the_sizes_order_lines_use(staff_client):
    line = OrderLineFactory(colour="Navy", size="XXL")
    style = line.style
    kids = SizeRangeFactory(code="KIDS", sizes=["4Y", "6Y"])
    rows = [{"id": colourway.pk, "name": colourway.name, "code": ""} for colourway in style.colourways.all()]
    form = {**_style_form(style, rows), "size_range": kids.pk}
    response = staff_client.post(f"/admin/samples/style/{style.pk}/change/", form)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["size_range"] == [
        f"Order lines of {style.code} use the sizes XXL; the range must have them."
    ]
    style.refresh_from_db()
    assert style.size_range.code == "XS-XXL"


def test_style_admin_colourway_inline_keeps_those_bill_of_materials_lines_use(staff_client):
    line = StyleMaterialFactory(style=StyleFactory(colourways=["Navy", "White"]), colour="Navy")
    style = line.style
    rows = [
        {
            "id": colourway.pk,
            "name": colourway.name,
            "code": "",
            **({"DELETE": "on"} if colourway.name == "Navy" else {}),
        }
        for colourway in style.colourways.all()
    ]
    data = {**_style_form(style, rows), "materials-INITIAL_FORMS": 0}
    response = staff_client.post(f"/admin/samples/style/{style.pk}/change/", data)
    assert response.status_code == 200
    assert f"Bill-of-materials lines of {style.code} use Navy; keep those colourways." in response.content.decode()
    assert list(Colourway.objects.filter(style=style).values_list("name", flat=True)) == ["Navy", "White"]
