"""Graded bills of materials: per-colour lines and per-size consumption, through the service, the
API and the admin, each refusing sizes and colours the style does not have."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.samples import services
from tests.helpers import assert_error_shape
from tests.inventory.factories import MaterialFactory
from tests.samples.factories import SizeRangeFactory, StyleFactory, StyleMaterialFactory

pytestmark = pytest.mark.django_db

STYLES = "/api/v1/styles/"


@pytest.fixture
def shirt():
    """A shirt in XS-XXL and Navy/White, with a plain fabric line that every bad write must leave alone."""
    style = StyleFactory(size_range=SizeRangeFactory(code="XS-XXL"), colourways=["Navy", "White"])
    StyleMaterialFactory(style=style, consumption_per_piece=Decimal("1.2"))
    return style


def bill(style) -> list[tuple]:
    return list(style.materials.order_by("id").values_list("material_id", "colour", "size_consumption"))


def test_style_set_materials_stores_colours_and_sizes_as_the_style_spells_them(shirt):
    fabric, button = MaterialFactory(), MaterialFactory()
    services.style_set_materials(
        style=shirt,
        materials=[
            {
                "material": fabric,
                "consumption_per_piece": Decimal("1.2"),
                "size_consumption": {"xxl": 1.45, "XL": "1.35"},
            },
            {"material": button, "consumption_per_piece": Decimal("8"), "colour": " navy "},
        ],
    )
    # Sizes in the range's order, four places like consumption_per_piece.
    assert bill(shirt) == [(fabric.pk, "", {"XL": "1.3500", "XXL": "1.4500"}), (button.pk, "Navy", {})]


def test_style_set_materials_takes_a_material_once_per_colour_and_once_without(shirt):
    button = MaterialFactory(code="BTN")
    line = {"material": button, "consumption_per_piece": Decimal("8")}
    services.style_set_materials(style=shirt, materials=[line, {**line, "colour": "Navy"}, {**line, "colour": "White"}])
    assert [colour for _, colour, _ in bill(shirt)] == ["", "Navy", "White"]
    with pytest.raises(ValidationError, match="Line 2: BTN is listed twice for Navy"):
        services.style_set_materials(style=shirt, materials=[{**line, "colour": "Navy"}, {**line, "colour": "NAVY"}])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            {"size_consumption": {"XXXL": "1.5"}},
            "Size XXXL is not in this style's size range (XS, S, M, L, XL, XXL)",
        ),
        ({"size_consumption": {"XL": "0"}}, "XL: '0' is not a positive consumption with at most 4 decimal places"),
        ({"size_consumption": {"XL": -1}}, "XL: -1 is not a positive consumption"),
        ({"size_consumption": {"XL": "1.23456"}}, "XL: '1.23456' is not a positive consumption"),
        ({"size_consumption": {"XL": "lots"}}, "XL: 'lots' is not a positive consumption"),
        ({"size_consumption": {"XL": True}}, "XL: True is not a positive consumption"),
        ({"size_consumption": {"XL": "1.3", "xl": "1.4"}}, "Size XL is given twice"),
        ({"size_consumption": ["XL", "1.3"]}, "Size consumption must be an object of sizes"),
        ({"colour": "Teal"}, "Teal is not a colourway of this style (it has Navy, White)"),
    ],
)
def test_style_set_materials_refuses_what_the_style_does_not_have_and_keeps_the_bill(shirt, line, message):
    before = bill(shirt)
    with pytest.raises(ValidationError) as error:
        services.style_set_materials(
            style=shirt, materials=[{"material": MaterialFactory(), "consumption_per_piece": Decimal("1"), **line}]
        )
    assert error.value.message_dict["materials"][0].startswith(f"Line 1: {message}")
    assert bill(shirt) == before


def test_style_set_materials_refuses_grading_a_style_without_a_size_range():
    style = StyleFactory(size_range=None, colourways=[])
    with pytest.raises(ValidationError, match="no size range"):
        services.style_set_materials(
            style=style,
            materials=[{"material": MaterialFactory(), "consumption_per_piece": 1, "size_consumption": {"M": "1"}}],
        )


# --- API -----------------------------------------------------------------------------------


def test_style_api_writes_graded_lines_and_shows_the_consumption_of_every_size(client_for, shirt):
    fabric, button = MaterialFactory(), MaterialFactory(unit="pcs")
    materials = [
        {"material": fabric.pk, "consumption_per_piece": "1.2", "size_consumption": {"XL": "1.35", "xxl": 1.45}},
        {"material": button.pk, "consumption_per_piece": "8", "colour": "white"},
    ]
    response = client_for("merchandiser").patch(f"{STYLES}{shirt.pk}/", {"materials": materials}, format="json")
    assert response.status_code == 200, response.json()
    fabric_line, button_line = response.json()["materials"]
    assert (fabric_line["colour"], fabric_line["size_consumption"]) == ("", {"XL": "1.3500", "XXL": "1.4500"})
    assert fabric_line["consumption_by_size"] == {
        "XS": "1.2000", "S": "1.2000", "M": "1.2000", "L": "1.2000", "XL": "1.3500", "XXL": "1.4500",
    }  # fmt: skip
    assert (button_line["colour"], set(button_line["consumption_by_size"].values())) == ("White", {"8.0000"})


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"size_consumption": {"3XL": "1.6"}}, "Line 1: Size 3XL is not in this style's size range (XS"),
        ({"colour": "Teal"}, "Line 1: Teal is not a colourway of this style (it has Navy, White)."),
    ],
)
def test_style_api_refuses_a_size_or_colour_the_style_does_not_have(client_for, shirt, line, message):
    before, name = bill(shirt), shirt.name
    materials = [{"material": MaterialFactory().pk, "consumption_per_piece": "1", **line}]
    response = client_for("merchandiser").patch(
        f"{STYLES}{shirt.pk}/", {"name": "Renamed", "materials": materials}, format="json"
    )
    (error,) = assert_error_shape(response, 400, "invalid")["fields"]["materials"]
    assert error.startswith(message)
    shirt.refresh_from_db()
    assert (bill(shirt), shirt.name) == (before, name)


def test_style_api_detail_queries_do_not_grow_with_graded_lines(client_for, shirt):
    client = client_for("viewer")

    def detail_queries() -> int:
        client.get(f"{STYLES}{shirt.pk}/")  # warm the per-user caches (session, permissions)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{STYLES}{shirt.pk}/").status_code == 200
        return len(queries)

    few = detail_queries()
    for colour in ("Navy", "White", ""):
        StyleMaterialFactory(style=shirt, colour=colour, size_consumption={"XL": "1.3500"})
    assert detail_queries() == few


# --- Admin ---------------------------------------------------------------------------------


def change_form_data(page) -> dict:
    """The style's change form as the admin page shows it, every inline's saved rows included (the
    blank extra rows left out), to post back."""
    forms = [page.context["adminform"].form]
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += formset.initial_forms
        data.update({field.html_name: field.value() for field in formset.management_form})
        data[formset.management_form["TOTAL_FORMS"].html_name] = formset.initial_form_count()
    for form in forms:
        for field in form:
            value = field.value()
            if value is True:
                data[field.html_name] = "on"
            elif value not in (None, False):
                data[field.html_name] = value
    return data


def test_style_admin_edits_graded_lines_in_the_styles_spelling(staff_client, shirt):
    url = f"/admin/samples/style/{shirt.pk}/change/"
    page = staff_client.get(url)
    assert "per size of XS, S, M, L, XL, XXL" in page.content.decode()
    data = change_form_data(page)
    data.update({"materials-0-colour": "navy", "materials-0-size_consumption": '{"xl": "1.35"}'})
    response = staff_client.post(url, data)
    assert response.status_code == 302, [inline.formset.errors for inline in response.context["inline_admin_formsets"]]
    assert [(colour, graded) for _, colour, graded in bill(shirt)] == [("Navy", {"XL": "1.3500"})]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("size_consumption", '{"XXXL": "1.5"}', "Size XXXL is not in this style&#x27;s size range (XS"),
        ("size_consumption", '{"XL": 0}', "XL: 0 is not a positive consumption"),
        ("colour", "Teal", "Teal is not a colourway of this style (it has Navy, White)."),
    ],
)
def test_style_admin_refuses_a_size_or_colour_the_style_does_not_have(staff_client, shirt, field, value, message):
    url = f"/admin/samples/style/{shirt.pk}/change/"
    before = bill(shirt)
    data = {**change_form_data(staff_client.get(url)), f"materials-0-{field}": value}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert bill(shirt) == before
