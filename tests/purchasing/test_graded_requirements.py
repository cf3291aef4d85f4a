"""Material requirements from graded bills of materials: per-size consumption and per-colour lines,
on a worked example calculated by hand."""

from decimal import Decimal

import pytest

from apps.orders.choices import OrderStatus
from apps.orders.models import OrderLine
from apps.purchasing.selectors import material_requirements
from apps.samples.services import style_set_materials
from tests.inventory.factories import MaterialFactory
from tests.purchasing.factories import sales_order
from tests.samples.factories import SizeRangeFactory, StyleFactory, StyleMaterialFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/material-requirements/"

NAVY_GRID = [("Navy", "S", 10), ("Navy", "M", 20), ("Navy", "XL", 5), ("Navy", "XXL", 4)]
WHITE_GRID = [("White", "M", 10), ("White", "XXL", 2)]


@pytest.fixture
def shirt():
    """A shirt in XS-XXL and Navy/White. FAB: 1.20 m a piece, XL 1.35, XXL 1.45, wastage 5%, every
    colour. BTN-N: 8 pieces, wastage 2%, navy shirts only; BTN-W likewise for white ones.
    A confirmed order of the grid Navy S 10, M 20, XL 5, XXL 4 / White M 10, XXL 2, and a draft
    order (Navy M 100, White XL 50) that is not demand yet."""
    style = StyleFactory(size_range=SizeRangeFactory(code="XS-XXL"), colourways=["Navy", "White"])
    materials = {code: MaterialFactory(code=code) for code in ("FAB", "BTN-N", "BTN-W")}
    button = {"consumption_per_piece": Decimal(8), "wastage_percent": Decimal(2)}
    style_set_materials(
        style=style,
        materials=[
            {
                "material": materials["FAB"],
                "consumption_per_piece": Decimal("1.20"),
                "size_consumption": {"XL": "1.35", "XXL": "1.45"},
                "wastage_percent": Decimal(5),
            },
            {"material": materials["BTN-N"], "colour": "Navy", **button},
            {"material": materials["BTN-W"], "colour": "White", **button},
        ],
    )
    sales_order(lines=[(style, colour, size, quantity) for colour, size, quantity in NAVY_GRID + WHITE_GRID])
    sales_order(lines=[(style, "Navy", "M", 100), (style, "White", "XL", 50)], status=OrderStatus.DRAFT)
    return style


def required() -> dict[str, Decimal]:
    return {row.code: row.required for row in material_requirements(shortages_only=False)}


def test_material_requirements_grade_consumption_by_size_and_count_colour_lines_only_for_their_colour(shirt):
    """FAB, every colour:  base sizes S 10 + M 20 + M 10 = 40 x 1.20 = 48.00
                           XL 5 x 1.35 = 6.75;  XXL (4 + 2) 6 x 1.45 = 8.70
                           (48.00 + 6.75 + 8.70) = 63.45 x 1.05 = 66.6225
    BTN-N, navy only:      (10 + 20 + 5 + 4) 39 x 8 = 312 x 1.02 = 318.24
    BTN-W, white only:     (10 + 2) 12 x 8 = 96 x 1.02 = 97.92
    The draft order adds nothing."""
    assert required() == {"BTN-N": Decimal("318.24"), "BTN-W": Decimal("97.92"), "FAB": Decimal("66.6225")}


def test_material_requirements_api_shows_the_graded_demand_rounded_up(client_for, shirt):
    rows = client_for("viewer").get(URL, {"all": "true"}).json()["results"]
    assert [(row["material_code"], row["required"]) for row in rows] == [
        ("BTN-N", "318.240"),
        ("BTN-W", "97.920"),
        ("FAB", "66.623"),  # 66.6225, rounded up as drafting orders it
    ]


def test_material_requirements_match_order_line_colours_in_any_case(shirt):
    """Order lines stored in another spelling (older data, imports) still take their colour's lines."""
    OrderLine.objects.filter(style=shirt, colour="Navy").update(colour="NAVY")
    assert required()["BTN-N"] == Decimal("318.24")


def test_material_requirements_count_a_material_on_a_colour_line_and_an_every_colour_line(shirt):
    """BTN-N also on every colour at 1 a piece, 0% wastage: 318.24 + (39 + 12) x 1 = 369.24."""
    navy_button = shirt.materials.get(colour="Navy").material
    StyleMaterialFactory(style=shirt, material=navy_button, consumption_per_piece=1, wastage_percent=0)
    assert required()["BTN-N"] == Decimal("369.24")


def test_material_requirements_query_count_is_the_same_for_5_and_50_graded_materials_and_orders(
    client_for, assert_queries_constant
):
    style = StyleFactory(size_range=SizeRangeFactory(code="XS-XXL"), colourways=["Navy", "White"])

    def make_rows(count):
        for index, material in enumerate(MaterialFactory.create_batch(count)):
            colour = ("Navy", "White", "")[index % 3]
            StyleMaterialFactory(style=style, material=material, colour=colour, size_consumption={"XL": "1.5000"})
            sales_order(lines=[(style, "Navy", "XL", index + 1), (style, "White", "M", 2)])

    # session (cached, or the database), user, permissions (2), count, page (the selector is one query)
    assert_queries_constant(client_for("viewer"), URL, make_rows, ceiling=6, params={"page_size": 100})
