"""Deterministic sample suppliers, their prices and purchase orders (see `manage.py generate_data`)."""

import random
from decimal import Decimal

from apps.inventory.models import Material, Warehouse

from . import services
from .choices import PurchaseOrderStatus
from .models import PurchaseOrder, Supplier, SupplierMaterial

COUNTS = {"small": (6, 10), "medium": (100, 1_000), "large": (500, 100_000)}  # suppliers, purchase orders
MILLS = [("CN", "USD"), ("BD", "USD"), ("IN", "USD"), ("TR", "EUR"), ("PT", "EUR"), ("VN", "USD")]


def generate(*, scale: str, seed: int) -> int:
    """Suppliers SUP001.., a preferred price for every material, and sent purchase orders (first run only)."""
    rng = random.Random(seed)
    supplier_count, order_count = COUNTS[scale]
    suppliers = []
    for number in range(1, supplier_count + 1):
        country, currency = rng.choice(MILLS)
        suppliers.append(
            Supplier(
                code=f"SUP{number:03d}",
                name=f"Mill {number}",
                country=country,
                currency=currency,
                lead_time_days=rng.choice([21, 30, 45, 60]),
            )
        )
    before = Supplier.objects.count()
    Supplier.objects.bulk_create(suppliers, ignore_conflicts=True)
    created = Supplier.objects.count() - before
    if SupplierMaterial.objects.exists() or PurchaseOrder.objects.exists():
        return created

    supplier_ids = list(Supplier.objects.order_by("code").values_list("pk", flat=True))
    materials = list(Material.objects.order_by("code"))
    prices = [
        SupplierMaterial(
            supplier_id=rng.choice(supplier_ids),
            material=material,
            is_preferred=True,
            unit_price=(material.standard_cost * Decimal("1.1")).quantize(Decimal("0.0001")),
        )
        for material in materials
    ]
    created += len(SupplierMaterial.objects.bulk_create(prices))
    warehouse = Warehouse.objects.order_by("code").first()
    by_supplier: dict[int, list[SupplierMaterial]] = {}
    for price in prices:
        by_supplier.setdefault(price.supplier_id, []).append(price)
    suppliers_by_id = Supplier.objects.in_bulk(list(by_supplier))
    for _ in range(order_count):
        supplier_id = rng.choice(sorted(by_supplier))
        lines = [
            {"material": price.material, "quantity": Decimal(rng.randint(50, 2_000)), "unit_price": price.unit_price}
            for price in rng.sample(by_supplier[supplier_id], min(3, len(by_supplier[supplier_id])))
        ]
        order = services.purchase_order_create(supplier=suppliers_by_id[supplier_id], warehouse=warehouse, lines=lines)
        if rng.random() < 0.7:
            services.purchase_order_transition(purchase_order=order, status=PurchaseOrderStatus.SENT)
        created += 1
    return created
