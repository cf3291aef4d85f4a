"""The styles import (one row per bill-of-materials line, grouped by style code) and export."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from apps.core.imports.base import get_resource
from apps.core.imports.engine import run_import
from apps.samples.models import Style, StyleMaterial
from tests.buyers.factories import BuyerFactory
from tests.helpers import write_csv
from tests.inventory.factories import MaterialFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Code", "Name", "Buyer Code", "Season", "Category", "Target Price", "Material Code", "Consumption per piece",
    "Wastage %",
]  # fmt: skip
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
    counts = []
    for styles, name in ((50, "small"), (500, "large")):
        rows = [
            [f"{name}-{n}", f"Style {n}", buyer.code, "SS27", "tops", "5", materials[m].code, "1.1", "2"]
            for n in range(styles)
            for m in range(4)
        ]
        with CaptureQueriesContext(connection) as queries:
            report = _import(_file(tmp_path, rows, name=f"{name}.csv"))
        assert report.created == styles
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10, counts


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
    assert rows[-1] == ["NX-3", "Tee", "NEXT", "SS27", "tops", Decimal("6.20"), True, "", "", ""]
    assert list(resource.export_queryset(QueryDict("category=bottoms"))) == [Style.objects.get(code="NX-2")]
    report = _import(_file(tmp_path, rows, header=[column.name for column in resource.columns], name="export.csv"))
    assert (report.unchanged, report.failed) == (3, 0)


def test_styles_example_file_loads():
    """docs/examples/styles.csv names `make run`'s demo buyers and materials."""
    BuyerFactory(code="B00047")
    BuyerFactory(code="B00025")
    for code in ("M00001", "M00003", "M00004", "M00005", "M00008", "M00009", "M00010"):
        MaterialFactory(code=code)

    report = _import(EXAMPLES / "styles.csv")

    assert report.ok, report.errors
    assert report.created == 3 and StyleMaterial.objects.count() == 8
    assert _import(EXAMPLES / "styles.csv").unchanged == 3
