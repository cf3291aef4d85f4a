"""The styles import (one row per bill-of-materials line, grouped by style code) and export."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from apps.core.imports.base import get_resource
from apps.core.imports.engine import run_import
from apps.samples.models import Colourway, Style, StyleMaterial
from tests.buyers.factories import BuyerFactory
from tests.helpers import write_csv
from tests.inventory.factories import MaterialFactory
from tests.orders.factories import OrderLineFactory
from tests.samples.factories import SizeRangeFactory, StyleFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Code", "Name", "Buyer Code", "Season", "Category", "Target Price", "Material Code", "Consumption per piece",
    "Wastage %",
]  # fmt: skip
# The style columns with its size range and colourways, and no bill of materials.
SPEC_HEADER = ["Code", "Name", "Buyer Code", "Season", "Category", "Size Range", "Colourways"]
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _file(tmp_path, rows, *, header=HEADER, name="styles.csv") -> Path:
    return write_csv(tmp_path / name, header, rows)


def _import(path, **options):
    return run_import(get_resource("styles"), path, **options)


@pytest.fixture
def buyer():
    return BuyerFactory(code="NEXT")


@pytest.fixture
def materials():
    return [MaterialFactory(code=f"FAB-{n}") for n in range(3)]


def _rows(buyer, materials):
    return [
        ["NX-1", "Oxford shirt", buyer.code, "SS27", "shirts", "14.50", materials[0].code, "1.65", "4"],
        ["NX-1", "", "", "", "", "", materials[1].code, "9", ""],
        ["NX-2", "Chino", buyer.code, "AW27", "bottoms", "", materials[2].code, "1.35", "5"],
        ["NX-3", "Tee", buyer.code, "SS27", "tops", "6.20", "", "", ""],
    ]


def _bill(code: str) -> list[tuple]:
    lines = StyleMaterial.objects.filter(style__code=code).order_by("material__code")
    return list(lines.values_list("material__code", "consumption_per_piece", "wastage_percent"))


def test_styles_import_creates_styles_and_bills(tmp_path, buyer, materials):
    report = _import(_file(tmp_path, _rows(buyer, materials)))

    assert report.ok, report.errors
    assert (report.created, report.rows_read) == (3, 4)
    shirt = Style.objects.get(code="NX-1")
    assert (shirt.name, shirt.buyer, shirt.season, shirt.category, shirt.target_price) == (
        "Oxford shirt", buyer, "SS27", "shirts", Decimal("14.50")
    )  # fmt: skip
    assert _bill("NX-1") == [("FAB-0", Decimal("1.6500"), Decimal("4.00")), ("FAB-1", Decimal("9.0000"), Decimal("0"))]
    assert Style.objects.get(code="NX-2").target_price is None
    assert _bill("NX-3") == []
    assert Style.history.filter(history_type="+").count() == 3
    assert StyleMaterial.history.filter(history_type="+").count() == 3


def test_styles_import_in_a_bounded_number_of_queries(tmp_path, buyer):
    materials = [MaterialFactory(code=f"BULK-{n}") for n in range(4)]
    SizeRangeFactory()
    counts = []
    for styles, name in ((50, "small"), (500, "large")):
        rows = [
            [f"{name}-{n}", f"Style {n}", buyer.code, "SS27", "tops", "5", materials[m].code, "1.1", "2"]
            + (["XS-XXL", "Navy|White|Black"] if m == 0 else ["", ""])
            for n in range(styles)
            for m in range(4)
        ]
        with CaptureQueriesContext(connection) as queries:
            report = _import(_file(tmp_path, rows, header=[*HEADER, "Size Range", "Colourways"], name=f"{name}.csv"))
        assert report.created == styles
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12, counts
    assert Colourway.objects.count() == 3 * 550


def test_styles_import_unknown_buyer_and_material_are_row_errors(tmp_path, buyer, materials):
    rows = [
        ["NX-1", "Oxford shirt", "NOBODY", "SS27", "shirts", "", materials[0].code, "1", "0"],
        ["NX-2", "Chino", buyer.code, "AW27", "bottoms", "", materials[0].code, "1", "0"],
        ["NX-2", "", "", "", "", "", "NO-SUCH", "1", "0"],
    ]

    report = _import(_file(tmp_path, rows))

    assert {(e.row, e.column, e.value, e.message) for e in report.errors} == {
        (2, "buyer_code", "NOBODY", "Unknown buyer 'NOBODY'."),
        (4, "material_code", "NO-SUCH", "Unknown material 'NO-SUCH'."),
    }
    assert report.failed == 2 and not Style.objects.exists()


def test_styles_import_bad_values_are_row_errors(tmp_path, buyer, materials):
    rows = [
        ["NX-1", "Shirt", buyer.code, "SS27", "jumpers", "", "", "", ""],
        ["NX-2", "Shirt", buyer.code, "SS27", "shirts", "-1", "", "", ""],
        ["NX-3", "Shirt", buyer.code, "SS27", "shirts", "", materials[0].code, "lots", ""],
        ["NX-4", "Shirt", buyer.code, "SS27", "shirts", "", materials[0].code, "1", "150"],
        ["NX-5", "Shirt", buyer.code, "SS27", "shirts", "", materials[0].code, "0", ""],
        ["NX-6", "Shirt", buyer.code, "SS27", "shirts", "", "", "2", ""],
        ["NX-7", "Shirt", buyer.code, "SS27-LONG-SEASON", "shirts", "", "", "", ""],
    ]

    report = _import(_file(tmp_path, rows))

    assert {(e.row, e.column) for e in report.errors} == {
        (2, "category"),
        (3, "target_price"),
        (4, "consumption_per_piece"),
        (5, "wastage_percent"),
        (6, "consumption_per_piece"),
        (7, "material_code"),
        (8, "season"),
    }
    assert '"jumpers" is not a valid choice.' in [e.message for e in report.errors if e.row == 2]
    assert not Style.objects.exists()


def test_styles_import_refuses_a_material_twice_and_conflicting_style_columns(tmp_path, buyer, materials):
    rows = [
        ["NX-1", "Shirt", buyer.code, "SS27", "shirts", "", materials[0].code, "1", ""],
        ["NX-1", "", "", "", "", "", materials[0].code, "2", ""],
        ["NX-2", "Chino", buyer.code, "AW27", "bottoms", "", materials[0].code, "1", ""],
        ["NX-2", "Chino", buyer.code, "SS27", "bottoms", "", materials[1].code, "1", ""],
    ]

    report = _import(_file(tmp_path, rows))

    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (3, "material_code", "FAB-0"),
        (5, "season", "SS27"),
    ]
    assert "listed twice" in report.errors[0].message
    assert "Differs from row 4 (AW27)" in report.errors[1].message


def test_styles_import_twice_changes_nothing(tmp_path, buyer, materials):
    path = _file(tmp_path, _rows(buyer, materials))
    _import(path)
    before = (Style.history.count(), StyleMaterial.history.count(), list(StyleMaterial.objects.values_list("pk")))

    report = _import(path)

    assert (report.created, report.updated, report.unchanged, report.failed) == (0, 0, 3, 0)
    assert "Nothing changed" in report.summary()
    assert (
        Style.history.count(),
        StyleMaterial.history.count(),
        list(StyleMaterial.objects.values_list("pk")),
    ) == before


def test_styles_import_changes_need_update(tmp_path, buyer, materials):
    _import(_file(tmp_path, _rows(buyer, materials)))
    changed = _file(
        tmp_path,
        [
            ["NX-1", "Oxford shirt LS", buyer.code, "SS27", "shirts", "14.50", materials[0].code, "1.70", "4"],
            ["NX-3", "Tee", buyer.code, "SS27", "tops", "6.20", materials[2].code, "0.4", ""],
        ],
        name="changed.csv",
    )

    compared = _import(changed)
    assert compared.failed == 2 and all("use --update" in e.message for e in compared.errors)
    assert _import(changed, existing="skip").skipped == 2

    report = _import(changed, existing="update")

    assert report.updated == 2 and report.ok
    assert Style.objects.get(code="NX-1").name == "Oxford shirt LS"
    assert _bill("NX-1") == [("FAB-0", Decimal("1.7000"), Decimal("4.00"))]
    assert _bill("NX-3") == [("FAB-2", Decimal("0.4000"), Decimal("0"))]
    assert _import(changed, existing="update").unchanged == 2


def test_styles_import_never_moves_a_style_to_another_buyer(tmp_path, buyer, materials):
    _import(_file(tmp_path, _rows(buyer, materials)))
    other = BuyerFactory(code="OTHER")

    report = _import(
        _file(tmp_path, [["NX-3", "Tee", "OTHER", "SS27", "tops", "6.20"]], header=HEADER[:6]), existing="update"
    )

    assert [(e.row, e.column, e.value) for e in report.errors] == [(2, "buyer_code", "OTHER")]
    assert Style.objects.get(code="NX-3").buyer == buyer != other


def test_styles_import_strict_writes_nothing_when_one_style_fails(tmp_path, buyer, materials):
    rows = [*_rows(buyer, materials), ["NX-9", "Bad", buyer.code, "SS27", "shirts", "", "NO-SUCH", "1", ""]]

    report = _import(_file(tmp_path, rows), strict=True)

    assert (report.created, report.failed) == (3, 1) and not report.written
    assert not Style.objects.exists() and not StyleMaterial.objects.exists()


def test_styles_export_imports_back_unchanged(tmp_path, buyer, materials):
    _import(_file(tmp_path, _rows(buyer, materials)))
    resource = get_resource("styles")

    rows = list(resource.export_rows(resource.export_queryset(QueryDict(f"buyer={buyer.pk}"))))

    assert [row[0] for row in rows] == ["NX-1", "NX-1", "NX-2", "NX-3"]
    assert rows[-1] == ["NX-3", "Tee", "NEXT", "SS27", "tops", Decimal("6.20"), True, "", "", "", "", ""]
    assert list(resource.export_queryset(QueryDict("category=bottoms"))) == [Style.objects.get(code="NX-2")]
    report = _import(_file(tmp_path, rows, header=[column.name for column in resource.columns], name="export.csv"))
    assert (report.unchanged, report.failed) == (3, 0)


def test_styles_example_file_loads():
    """docs/examples/styles.csv names `make run`'s demo buyers and materials."""
    BuyerFactory(code="B00047")
    BuyerFactory(code="B00025")
    for code in ("M00001", "M00003", "M00004", "M00005", "M00008", "M00009", "M00010"):
        MaterialFactory(code=code)
    SizeRangeFactory()
    SizeRangeFactory(code="W28-40", sizes=["28", "30", "32", "34", "36", "38", "40"])

    report = _import(EXAMPLES / "styles.csv")

    assert report.ok, report.errors
    assert report.created == 3 and StyleMaterial.objects.count() == 8
    assert _colourways("NX-CH-220") == [("Navy", ""), ("Stone", "")]
    assert _import(EXAMPLES / "styles.csv").unchanged == 3


def _colourways(code: str) -> list[tuple[str, str]]:
    return list(Colourway.objects.filter(style__code=code).order_by("name").values_list("name", "code"))


def test_styles_import_sets_size_range_and_colourways_and_exports_them(tmp_path, buyer):
    sizes = SizeRangeFactory()
    waist = SizeRangeFactory(code="W28-40", sizes=["28", "30", "32", "34", "36", "38", "40"])
    rows = [
        ["NX-1", "Oxford shirt", buyer.code, "SS27", "shirts", "XS-XXL", "Navy | White|Sky"],
        ["NX-2", "Chino", buyer.code, "AW27", "bottoms", "W28-40", "Stone"],
        ["NX-3", "Tee", buyer.code, "SS27", "tops", "", ""],
    ]

    report = _import(_file(tmp_path, rows, header=SPEC_HEADER))

    assert report.ok, report.errors
    assert Style.objects.get(code="NX-1").size_range == sizes and Style.objects.get(code="NX-2").size_range == waist
    assert _colourways("NX-1") == [("Navy", ""), ("Sky", ""), ("White", "")]
    assert Style.objects.get(code="NX-3").size_range is None and _colourways("NX-3") == []
    assert Colourway.history.filter(history_type="+").count() == 4
    resource = get_resource("styles")
    exported = list(resource.export_rows(resource.export_queryset(QueryDict())))
    assert [row[7:9] for row in exported] == [["XS-XXL", "Navy|White|Sky"], ["W28-40", "Stone"], ["", ""]]
    again = _import(_file(tmp_path, exported, header=[column.name for column in resource.columns], name="export.csv"))
    assert (again.unchanged, again.failed) == (3, 0)


def test_styles_import_unknown_size_range_and_bad_colourways_are_row_errors(tmp_path, buyer):
    SizeRangeFactory()
    rows = [
        ["NX-1", "Shirt", buyer.code, "SS27", "shirts", "XS-5XL", "Navy"],
        ["NX-2", "Shirt", buyer.code, "SS27", "shirts", "XS-XXL", "Navy|White|navy"],
        ["NX-3", "Shirt", buyer.code, "SS27", "shirts", "XS-XXL", "N" * 51],
        ["NX-4", "Shirt", buyer.code, "SS27", "shirts", "XS-XXL", "Navy"],
    ]

    report = _import(_file(tmp_path, rows, header=SPEC_HEADER))

    errors = {(e.row, e.column): e.message for e in report.errors}
    assert errors.keys() == {(2, "size_range"), (3, "colourways"), (4, "colourways")}
    assert errors[(2, "size_range")] == "Unknown size range 'XS-5XL'."
    assert errors[(3, "colourways")] == "navy is listed twice (colourways ignore case)."
    assert "at most 50 characters" in errors[(4, "colourways")]
    assert list(Style.objects.values_list("code", flat=True)) == ["NX-4"]


def test_styles_import_update_replaces_colourways_keeping_their_codes(tmp_path, buyer):
    style = StyleFactory(code="NX-1", buyer=buyer, colourways=["Navy", "White"])
    Colourway.objects.filter(style=style, name="Navy").update(code="19-4052 TCX")
    path = _file(
        tmp_path, [["NX-1", style.name, buyer.code, "SS27", "shirts", "XS-XXL", "NAVY|Ecru"]], header=SPEC_HEADER
    )

    compared = _import(path)
    assert compared.failed == 1 and "its colourways differ" in compared.errors[0].message

    report = _import(path, existing="update")

    assert report.updated == 1 and report.ok, report.errors
    assert _colourways("NX-1") == [("Ecru", ""), ("NAVY", "19-4052 TCX")]
    assert _import(path, existing="update").unchanged == 1


def test_styles_import_keeps_the_colours_and_sizes_order_lines_use(tmp_path, buyer):
    style = StyleFactory(code="NX-1", buyer=buyer)
    OrderLineFactory(order__buyer=buyer, style=style, colour="Navy", size="M")
    SizeRangeFactory(code="W28-40", sizes=["28", "30", "32"])
    path = _file(tmp_path, [["NX-1", style.name, buyer.code, "SS27", "shirts", "W28-40", "White"]], header=SPEC_HEADER)

    report = _import(path, existing="update")

    assert {(e.column, e.message) for e in report.errors} == {
        ("size_range", "Order lines of NX-1 use the sizes M; the range must have them."),
        ("colourways", "Order lines of NX-1 use Navy; keep those colourways."),
    }
    style.refresh_from_db()
    assert style.size_range.code == "XS-XXL" and len(_colourways("NX-1")) == 4
