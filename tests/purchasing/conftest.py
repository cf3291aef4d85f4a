"""Fixtures shared by the purchasing tests."""

from decimal import Decimal

import pytest

from apps.inventory.choices import Unit
from apps.inventory.services import stock_receive
from apps.orders.choices import OrderStatus
from apps.purchasing.choices import PurchaseOrderStatus
from apps.samples.services import style_set_materials
from tests.buyers.factories import BuyerFactory
from tests.inventory.factories import MaterialFactory, WarehouseFactory
from tests.purchasing.factories import SupplierFactory, SupplierMaterialFactory, purchase_order, receive, sales_order
from tests.samples.factories import StyleFactory


@pytest.fixture
def example():
    """The worked example calculated by hand in test_selectors.py's docstring."""
    buyer = BuyerFactory()
    w1, w2 = WarehouseFactory(code="W1"), WarehouseFactory(code="W2")
    s1, s2 = SupplierFactory(code="S1", currency="USD"), SupplierFactory(code="S2", currency="EUR")
    m = {
        code: MaterialFactory(code=code, unit=Unit.PIECE if code.startswith(("TRM", "PKG")) else Unit.METRE)
        for code in ("FAB1", "FAB2", "TRM1", "TRM2", "TRM3", "PKG1")
    }
    style_a, style_b = StyleFactory(code="ST-A", buyer=buyer), StyleFactory(code="ST-B", buyer=buyer)

    def bom(material, consumption, wastage):
        return {"material": m[material], "consumption_per_piece": Decimal(consumption), "wastage_percent": wastage}

    style_set_materials(
        style=style_a,
        materials=[bom("FAB1", "1.25", Decimal(4)), bom("TRM1", "6", Decimal("2.5")), bom("TRM2", "2", 0)],
    )
    style_set_materials(
        style=style_b,
        materials=[bom("FAB1", "0.8", Decimal(5)), bom("FAB2", "1.5", Decimal("3.33")), bom("TRM3", "1", 0)],
    )

    sales_order(lines=[(style_a, "red", "M", 100), (style_a, "red", "L", 60), (style_b, "navy", "M", 50)])
    sales_order(lines=[(style_b, "navy", "S", 200)], status=OrderStatus.IN_PRODUCTION)
    sales_order(lines=[(style_a, "red", "M", 1000)], status=OrderStatus.DRAFT)
    sales_order(lines=[(style_b, "navy", "M", 500)], status=OrderStatus.CANCELLED)
    sales_order(lines=[(style_a, "red", "M", 300)], status=OrderStatus.SHIPPED)

    for material, warehouse, quantity in [
        ("FAB1", w1, "100"),
        ("FAB1", w2, "50.5"),
        ("FAB2", w2, "100"),
        ("TRM1", w1, "1000"),
    ]:
        stock_receive(material=m[material], warehouse=warehouse, quantity=Decimal(quantity))

    po1 = purchase_order(supplier=s1, warehouse=w1, lines=[(m["FAB1"], "200", "4.4")], status=PurchaseOrderStatus.SENT)
    receive(po1, {m["FAB1"]: "80"})
    purchase_order(supplier=s1, warehouse=w1, lines=[(m["FAB1"], "500", "4.4")], status=PurchaseOrderStatus.CANCELLED)
    purchase_order(supplier=s2, warehouse=w2, lines=[(m["FAB2"], "50", "6")])
    po4 = purchase_order(supplier=s2, warehouse=w2, lines=[(m["TRM2"], "20", "0.05")], status=PurchaseOrderStatus.SENT)
    receive(po4, {m["TRM2"]: "20"})

    SupplierMaterialFactory(supplier=s1, material=m["FAB1"], unit_price=Decimal("4.5"), is_preferred=True)
    SupplierMaterialFactory(supplier=s1, material=m["TRM1"], unit_price=Decimal("0.1"), is_preferred=True)
    SupplierMaterialFactory(supplier=s1, material=m["TRM3"], unit_price=Decimal("0.25"), is_preferred=True)
    SupplierMaterialFactory(supplier=s2, material=m["FAB2"], unit_price=Decimal("6"), is_preferred=True)
    SupplierMaterialFactory(supplier=s2, material=m["TRM2"], unit_price=Decimal("0.05"), is_preferred=False)
    SupplierMaterialFactory(supplier=s2, material=m["FAB1"], unit_price=Decimal("4.1"), is_preferred=False)
    return {"materials": m, "w1": w1, "w2": w2, "s1": s1, "s2": s2}
