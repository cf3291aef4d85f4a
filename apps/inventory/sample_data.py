"""Deterministic sample warehouses, materials and opening stock (see `manage.py generate_data`)."""

import random
from decimal import Decimal

from .choices import MaterialKind, Unit
from .models import Material, StockMovement, Warehouse
from .services import stock_receive

COUNTS = {"small": (2, 40), "medium": (5, 500), "large": (20, 5_000)}  # warehouses, materials
KINDS = [
    (MaterialKind.FABRIC, Unit.METRE, ["Cotton poplin", "Oxford", "Denim 12oz", "Jersey", "Twill", "Linen"]),
    (MaterialKind.TRIM, Unit.PIECE, ["Button 18L", "Zip 20cm", "Main label", "Care label", "Snap"]),
    (MaterialKind.ACCESSORY, Unit.CONE, ["Sewing thread", "Overlock thread"]),
    (MaterialKind.PACKING, Unit.PIECE, ["Polybag", "Carton", "Hangtag", "Tissue"]),
]


def generate(*, scale: str, seed: int) -> int:
    """Warehouses W01.., materials M00001.. and opening stock (first run only). Returns rows created."""
    rng = random.Random(seed)
    warehouse_count, material_count = COUNTS[scale]
    warehouses = [Warehouse(code=f"W{n:02d}", name=f"Store {n}") for n in range(1, warehouse_count + 1)]
    materials = []
    for number in range(1, material_count + 1):
        kind, unit, names = KINDS[number % len(KINDS)]
        materials.append(
            Material(
                code=f"M{number:05d}",
                name=f"{rng.choice(names)} {number}",
                kind=kind,
                unit=unit,
                standard_cost=Decimal(rng.randint(5, 900)) / 100,
                reorder_level=Decimal(rng.choice([0, 50, 100, 500])),
            )
        )
    before = Warehouse.objects.count() + Material.objects.count()
    Warehouse.objects.bulk_create(warehouses, ignore_conflicts=True)
    Material.objects.bulk_create(materials, ignore_conflicts=True)
    created = Warehouse.objects.count() + Material.objects.count() - before
    if not StockMovement.objects.exists():
        store = Warehouse.objects.order_by("code").first()
        for material in Material.objects.order_by("code")[: material_count // 2]:
            stock_receive(
                material=material, warehouse=store, quantity=Decimal(rng.randint(20, 2_000)), note="Opening stock"
            )
            created += 1
    return created
