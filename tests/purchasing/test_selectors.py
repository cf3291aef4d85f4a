"""Material requirements and drafting purchase orders for shortages, on a worked example.

The example (checked by hand; every number below is asserted exactly):

Bills of materials
  ST-A: FAB1 1.2500 m/pc + 4% wastage; TRM1 6 pcs/pc + 2.5%; TRM2 2 pcs/pc + 0%
  ST-B: FAB1 0.8000 m/pc + 5% wastage; FAB2 1.5000 m/pc + 3.33%; TRM3 1 pc/pc + 0%
  PKG1 is on no bill of materials.

Buyer orders (only confirmed and in-production count)
  SO-1 confirmed:      ST-A red/M 100, ST-A red/L 60, ST-B blue/M 50
  SO-2 in production:  ST-B blue/S 200
  SO-3 draft:          ST-A 1,000      (ignored)
  SO-4 cancelled:      ST-B 500        (ignored)
  SO-5 shipped:        ST-A 300        (ignored)
  => ST-A 160 pieces, ST-B 250 pieces

Required
  FAB1 = 160 x 1.25 x 1.04 + 250 x 0.80 x 1.05 = 208 + 210 = 418
  FAB2 = 250 x 1.5 x 1.0333                                 = 387.4875
  TRM1 = 160 x 6 x 1.025                                    = 984
  TRM2 = 160 x 2 x 1                                        = 320
  TRM3 = 250 x 1 x 1                                        = 250

Stock on hand (two warehouses, W1 and W2)
  FAB1: W1 100 + 80 received on PO-1 below, W2 50.5 = 230.5
  FAB2: W2 100;  TRM1: W1 1,000;  TRM2: 20 received on PO-4;  TRM3: none

Purchase orders (on order = ordered - received, on draft, sent and partially received orders)
  PO-1 S1 partially received: FAB1 200 ordered, 80 received  -> 120 on order
  PO-2 S1 cancelled:          FAB1 500                        (ignored)
  PO-3 S2 draft:              FAB2 50                         -> 50 on order
  PO-4 S2 received:           TRM2 20, all received           -> 0 on order

Shortage = max(0, required - on hand - on order)
  FAB1 = 418      - 230.5 - 120 = 67.5
  FAB2 = 387.4875 - 100   - 50  = 237.4875   (ordered rounded up to 3 decimals: 237.488)
  TRM1 = 984      - 1,000 - 0   = -16  -> 0  (covered: listed only with shortages_only=False)
  TRM2 = 320      - 20    - 0   = 300
  TRM3 = 250      - 0     - 0   = 250

Preferred suppliers: FAB1 S1 at 4.5000, TRM1 S1 at 0.1000, TRM3 S1 at 0.2500, FAB2 S2 at 6.0000;
TRM2 is sold by S2 but nobody is preferred for it.

Drafting (to W1) makes one order per preferred supplier and skips TRM2:
  S1: FAB1 67.500 x 4.5 = 303.75 + TRM3 250 x 0.25 = 62.50 -> total 366.25
  S2: FAB2 237.488 x 6  = 1,424.928                         -> total 1,424.93
Then FAB1 on order = 187.5 and FAB2 on order = 287.488 (shortage -0.0005 -> 0), TRM3 on order = 250:
a second run drafts nothing and skips TRM2 again.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.purchasing import services
from apps.purchasing.choices import PurchaseOrderStatus
from apps.purchasing.models import PurchaseOrder
from apps.purchasing.selectors import material_requirements, order_quantity
from tests.inventory.factories import WarehouseFactory
from tests.purchasing.factories import SupplierMaterialFactory

pytestmark = pytest.mark.django_db


def rows(**kwargs):
    return {
        row.code: (row.required, row.on_hand, row.on_order, row.shortage, row.preferred_supplier_code)
        for row in material_requirements(**kwargs)
    }


def test_material_requirements_on_the_worked_example(example):
    assert rows() == {
        "FAB1": (Decimal("418"), Decimal("230.5"), Decimal("120"), Decimal("67.5"), "S1"),
        "FAB2": (Decimal("387.4875"), Decimal("100"), Decimal("50"), Decimal("237.4875"), "S2"),
        "TRM2": (Decimal("320"), Decimal("20"), Decimal("0"), Decimal("300"), None),
        "TRM3": (Decimal("250"), Decimal("0"), Decimal("0"), Decimal("250"), "S1"),
    }


def test_material_requirements_all_includes_covered_materials_but_not_those_without_demand(example):
    everything = rows(shortages_only=False)
    assert list(everything) == ["FAB1", "FAB2", "TRM1", "TRM2", "TRM3"]  # by material code; no PKG1
    assert everything["TRM1"] == (Decimal("984"), Decimal("1000"), Decimal("0"), Decimal("0"), "S1")


def test_material_requirements_carries_the_preferred_supplier_and_price(example):
    fab1 = next(row for row in material_requirements() if row.code == "FAB1")
    assert (fab1.preferred_supplier_id, fab1.preferred_supplier_code, fab1.preferred_unit_price) == (
        example["s1"].pk,
        "S1",
        Decimal("4.5"),
    )


def test_material_requirements_is_one_query(example):
    with CaptureQueriesContext(connection) as queries:
        list(material_requirements(shortages_only=False))
    assert len(queries) == 1


def test_material_requirements_is_empty_without_demand():
    SupplierMaterialFactory(is_preferred=True)
    assert list(material_requirements(shortages_only=False)) == []


def test_order_quantity_rounds_up_to_three_decimals():
    assert order_quantity(Decimal("237.4875")) == Decimal("237.488")
    assert order_quantity(Decimal("0.0001")) == Decimal("0.001")
    assert order_quantity(Decimal("67.5")) == Decimal("67.500")


def test_purchase_orders_draft_for_shortages_groups_by_preferred_supplier_and_skips_the_unsourced(example):
    before = set(PurchaseOrder.objects.values_list("pk", flat=True))
    drafts, skipped = services.purchase_orders_draft_for_shortages(warehouse=example["w1"])

    assert [material.code for material in skipped] == ["TRM2"]
    assert skipped[0].shortage == Decimal("300")
    assert {draft.pk for draft in drafts} == set(PurchaseOrder.objects.values_list("pk", flat=True)) - before
    s1_draft, s2_draft = sorted(drafts, key=lambda draft: draft.supplier.code)
    for draft, supplier, currency, total in [(s1_draft, "S1", "USD", "366.25"), (s2_draft, "S2", "EUR", "1424.93")]:
        draft = PurchaseOrder.objects.get(pk=draft.pk)
        assert (draft.supplier.code, draft.status, draft.warehouse, draft.currency, draft.total) == (
            supplier,
            PurchaseOrderStatus.DRAFT,
            example["w1"],
            currency,
            Decimal(total),
        )
    assert sorted((line.material.code, line.quantity, line.unit_price) for line in s1_draft.lines.all()) == [
        ("FAB1", Decimal("67.500"), Decimal("4.5")),
        ("TRM3", Decimal("250.000"), Decimal("0.25")),
    ]
    assert [(line.material.code, line.quantity, line.unit_price) for line in s2_draft.lines.all()] == [
        ("FAB2", Decimal("237.488"), Decimal("6")),
    ]


def test_purchase_orders_draft_for_shortages_counts_drafts_as_on_order_so_a_second_run_drafts_nothing(example):
    services.purchase_orders_draft_for_shortages(warehouse=example["w1"])
    assert rows() == {"TRM2": (Decimal("320"), Decimal("20"), Decimal("0"), Decimal("300"), None)}
    assert rows(shortages_only=False)["FAB2"][2:4] == (Decimal("287.488"), Decimal("0"))
    count = PurchaseOrder.objects.count()

    drafts, skipped = services.purchase_orders_draft_for_shortages(warehouse=example["w2"])
    assert drafts == [] and [material.code for material in skipped] == ["TRM2"]
    assert PurchaseOrder.objects.count() == count


def test_purchase_orders_draft_for_shortages_skips_materials_whose_preferred_supplier_is_inactive(example):
    example["s2"].is_active = False
    example["s2"].save()
    drafts, skipped = services.purchase_orders_draft_for_shortages(warehouse=example["w1"])
    assert [draft.supplier.code for draft in drafts] == ["S1"]
    assert [material.code for material in skipped] == ["FAB2", "TRM2"]


def test_purchase_orders_draft_for_shortages_drafts_nothing_without_shortages():
    assert services.purchase_orders_draft_for_shortages(warehouse=WarehouseFactory()) == ([], [])
    assert not PurchaseOrder.objects.exists()
