"""The opening stock import (receipts marked as opening stock, idempotent) and its export."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Sum
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from apps.core.audit import acting_as
from apps.core.imports.base import get_resource
from apps.core.imports.engine import run_import
from apps.inventory import services
from apps.inventory.choices import MovementKind
from apps.inventory.models import StockLevel, StockMovement
from apps.inventory.resources import OPENING
from tests.factories import UserFactory
from tests.helpers import write_csv
from tests.inventory.factories import MaterialFactory, ReceiptFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

HEADER = ["Warehouse", "Material", "Qty", "Note"]
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _file(tmp_path, rows, *, header=HEADER, name="opening.csv") -> Path:
    return write_csv(tmp_path / name, header, rows)


def _import(path, **options):
    return run_import(get_resource("opening_stock"), path, **options)


@pytest.fixture
def store():
    return WarehouseFactory(code="W01")


@pytest.fixture
def materials():
    return [MaterialFactory(code=f"FAB-{n}") for n in range(3)]


def _on_hand(warehouse, material) -> Decimal:
    return StockLevel.objects.get(warehouse=warehouse, material=material).on_hand


def _ledger_agrees() -> bool:
    """Every level equals the sum of its movements, and each movement's balance_after is consistent."""
    for level in StockLevel.objects.all():
        movements = StockMovement.objects.filter(warehouse=level.warehouse_id, material=level.material_id)
        if movements.aggregate(total=Sum("quantity"))["total"] != level.on_hand:
            return False
        if movements.order_by("-id").first().balance_after != level.on_hand:
            return False
    return True


def test_opening_stock_import_posts_marked_receipts(tmp_path, store, materials):
    path = _file(tmp_path, [["W01", "FAB-0", "1200", "Count of 31 Dec"], ["W01", "FAB-1", "35.5", ""]])

    report = _import(path)

    assert report.ok, report.errors
    assert report.created == 2
    assert _on_hand(store, materials[0]) == Decimal("1200") and _on_hand(store, materials[1]) == Decimal("35.5")
    movement = StockMovement.objects.get(material=materials[0])
    assert (movement.kind, movement.quantity, movement.balance_after, movement.reference_type, movement.note) == (
        MovementKind.RECEIPT, Decimal("1200"), Decimal("1200"), OPENING, "Count of 31 Dec"
    )  # fmt: skip
    assert StockMovement.objects.get(material=materials[1]).note == "Opening stock"
    assert movement.created_by is None  # a command: nobody
    assert _ledger_agrees()


def test_opening_stock_import_in_a_job_is_posted_by_its_user(tmp_path, store, materials):
    user = UserFactory()
    with acting_as(user, "IMPORT opening_stock"):
        _import(_file(tmp_path, [["W01", "FAB-0", "5", ""]]))

    assert StockMovement.objects.get().created_by == user


def test_opening_stock_imported_twice_does_not_double_stock(tmp_path, store, materials):
    path = _file(tmp_path, [["W01", "FAB-0", "1200", ""], ["W01", "FAB-1", "35.5", ""]])
    _import(path)
    services.stock_issue(material=materials[0], warehouse=store, quantity=Decimal("200"))

    report = _import(path)

    assert (report.created, report.updated, report.unchanged, report.failed) == (0, 0, 2, 0)
    assert "Nothing changed" in report.summary()
    assert _on_hand(store, materials[0]) == Decimal("1000")  # the opening 1200 less the issue, not 2200
    assert StockMovement.objects.count() == 3


def test_opening_stock_change_is_an_adjustment_with_update(tmp_path, store, materials):
    _import(_file(tmp_path, [["W01", "FAB-0", "1200", ""]]))
    services.stock_issue(material=materials[0], warehouse=store, quantity=Decimal("200"))
    recounted = _file(tmp_path, [["W01", "FAB-0", "1250", "Recount"]], name="recount.csv")

    compared = _import(recounted)
    assert [(e.row, e.column, e.value) for e in compared.errors] == [(2, "quantity", "1250")]
    assert "was loaded as 1200" in compared.errors[0].message
    assert _import(recounted, existing="skip").skipped == 1

    report = _import(recounted, existing="update")

    assert report.updated == 1 and report.ok
    adjustment = StockMovement.objects.latest("id")
    assert (adjustment.kind, adjustment.quantity, adjustment.balance_after, adjustment.reference_type) == (
        MovementKind.ADJUSTMENT, Decimal("50"), Decimal("1050"), OPENING
    )  # fmt: skip
    assert _on_hand(store, materials[0]) == Decimal("1050")
    assert _import(recounted, existing="update").unchanged == 1  # opening is now 1250
    assert _ledger_agrees()


def test_opening_stock_correction_cannot_take_stock_below_zero(tmp_path, store, materials):
    _import(_file(tmp_path, [["W01", "FAB-0", "100", ""]]))
    services.stock_issue(material=materials[0], warehouse=store, quantity=Decimal("80"))

    report = _import(_file(tmp_path, [["W01", "FAB-0", "10", ""]], name="lower.csv"), existing="update")

    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "quantity", "Only 20.000 on hand in this warehouse; cannot take 90.000.")
    ]
    assert _on_hand(store, materials[0]) == Decimal("20")


def test_opening_stock_refused_over_a_ledger_without_opening(tmp_path, store, materials):
    ReceiptFactory(material=materials[0], warehouse=store, quantity=Decimal("300"))
    path = _file(tmp_path, [["W01", "FAB-0", "300", ""]])
    assert _import(path).unchanged == 1  # what an export of the current levels gives back

    report = _import(_file(tmp_path, [["W01", "FAB-0", "350", ""]], name="more.csv"), existing="update")

    assert report.failed == 1 and "already has stock from other postings (300.000 on hand)" in report.errors[0].message
    assert _on_hand(store, materials[0]) == Decimal("300")


def test_opening_stock_bad_rows_are_row_errors(tmp_path, store, materials):
    rows = [
        ["NOWHERE", "FAB-0", "1", ""],
        ["W01", "NO-SUCH", "1", ""],
        ["W01", "FAB-0", "lots", ""],
        ["W01", "FAB-1", "0", ""],
        ["W01", "FAB-2", "1.23456", ""],
        ["W01", "FAB-2", "5", ""],  # the key of the row above
    ]

    report = _import(_file(tmp_path, rows))

    assert {(e.row, e.column, e.value) for e in report.errors} == {
        (2, "warehouse_code", "NOWHERE"),
        (3, "material_code", "NO-SUCH"),
        (4, "quantity", "lots"),
        (5, "quantity", "0"),
        (6, "quantity", "1.23456"),
        (7, "warehouse_code", "W01, FAB-2"),
    }
    assert "Unknown warehouse 'NOWHERE'." in [e.message for e in report.errors]
    assert "Must be greater than zero." in [e.message for e in report.errors]
    assert not StockMovement.objects.exists() and not StockLevel.objects.exists()


def test_opening_stock_strict_writes_nothing_when_a_row_fails(tmp_path, store, materials):
    report = _import(_file(tmp_path, [["W01", "FAB-0", "10", ""], ["W01", "FAB-1", "-3", ""]]), strict=True)

    assert (report.created, report.failed) == (1, 1) and not report.written
    assert not StockMovement.objects.exists() and not StockLevel.objects.exists()


def test_opening_stock_import_in_a_bounded_number_of_queries(tmp_path):
    warehouses = [WarehouseFactory(code=f"WH{n}") for n in range(2)]
    counts = []
    for count, name in ((100, "small"), (1_000, "large")):
        made = [MaterialFactory(code=f"{name}-{n}") for n in range(count // 2)]
        rows = [[w.code, m.code, "10", ""] for m in made for w in warehouses]
        with CaptureQueriesContext(connection) as queries:
            report = _import(_file(tmp_path, rows, name=f"{name}.csv"))
        assert report.created == count
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10, counts
    assert _ledger_agrees()


def test_opening_stock_export_lists_levels_and_imports_back_unchanged(tmp_path, store, materials):
    other = WarehouseFactory(code="W02")
    _import(_file(tmp_path, [["W01", "FAB-0", "12", ""], ["W02", "FAB-1", "7.5", ""]]))
    services.stock_issue(material=materials[1], warehouse=other, quantity=Decimal("7.5"))  # now empty: not exported
    resource = get_resource("opening_stock")

    rows = list(resource.export_rows(resource.export_queryset(QueryDict())))

    assert rows == [["W01", "FAB-0", Decimal("12.000"), ""]]
    assert list(resource.export_queryset(QueryDict(f"warehouse={other.pk}"))) == []
    report = _import(_file(tmp_path, rows, header=[column.name for column in resource.columns], name="export.csv"))
    assert (report.unchanged, report.failed) == (1, 0)


def test_opening_stock_example_file_loads():
    """docs/examples/opening_stock.csv names `make run`'s demo warehouses and materials (stock-free pairs)."""
    WarehouseFactory(code="W01")
    WarehouseFactory(code="W02")
    for code in ("M00001", "M00004", "M00005", "M00008", "M00009", "M00010", "M00021", "M00024"):
        MaterialFactory(code=code)

    report = _import(EXAMPLES / "opening_stock.csv")

    assert report.ok, report.errors
    assert report.created == 8
    assert _import(EXAMPLES / "opening_stock.csv").unchanged == 8
    assert _ledger_agrees()
