"""Deterministic sample warehouses, materials and stock ledger (see `manage.py generate_data`).

At bulk scale the ledger is a simulated history: opening stock, deliveries, issues to
production, stock-count adjustments and transfers, posted in time order so that every
movement's balance_after is the running balance of its material in its warehouse, never below
zero, and the stock levels are the final balances. Deliveries are receipts referencing goods
receipts 1, 2, ... (reference_type "goods_receipt"); purchasing's generator writes the
purchase orders and goods receipts behind them.
"""

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

from apps.core import bulk

from . import partitions
from .choices import MaterialKind, MovementKind, Unit
from .models import Material, StockLevel, StockMovement, Warehouse
from .services import stock_receive

# Warehouses, materials and (at bulk scale) stock movements; "tiny" runs the bulk path for tests.
COUNTS = {
    "small": (2, 40, 0),
    "tiny": (3, 12, 400),
    "medium": (5, 250, 100_000),
    "large": (20, 5_000, 2_000_000),
}
KINDS = [
    (MaterialKind.FABRIC, Unit.METRE, ["Cotton poplin", "Oxford", "Denim 12oz", "Jersey", "Twill", "Linen"]),
    (MaterialKind.TRIM, Unit.PIECE, ["Button 18L", "Zip 20cm", "Main label", "Care label", "Snap"]),
    (MaterialKind.ACCESSORY, Unit.CONE, ["Sewing thread", "Overlock thread"]),
    (MaterialKind.PACKING, Unit.PIECE, ["Polybag", "Carton", "Hangtag", "Tissue"]),
]
GOODS_RECEIPT = "goods_receipt"
MOVEMENT_COLUMNS = [
    "id",
    "material_id",
    "warehouse_id",
    "kind",
    "quantity",
    "balance_after",
    "reference_type",
    "reference_id",
    "note",
    "created_at",
]


def generate(*, scale: str, seed: int) -> int:
    """Warehouses W01.., materials M00001.. and opening stock or a ledger (first run only). Returns rows created."""
    rng = random.Random(seed)
    warehouse_count, material_count, movement_count = COUNTS[scale]
    warehouses = [
        {"code": f"W{n:02d}", "name": f"Store {n}", "address": "", "is_active": True}
        for n in range(1, warehouse_count + 1)
    ]
    materials = [_material(rng, number) for number in range(1, material_count + 1)]
    if scale != "small":
        return _generate_bulk(rng, warehouses, materials, movement_count)

    before = Warehouse.objects.count() + Material.objects.count()
    Warehouse.objects.bulk_create([Warehouse(**fields) for fields in warehouses], ignore_conflicts=True)
    Material.objects.bulk_create([Material(**fields) for fields in materials], ignore_conflicts=True)
    created = Warehouse.objects.count() + Material.objects.count() - before
    if not StockMovement.objects.exists():
        store = Warehouse.objects.order_by("code").first()
        for material in Material.objects.order_by("code")[: material_count // 2]:
            stock_receive(
                material=material, warehouse=store, quantity=Decimal(rng.randint(20, 2_000)), note="Opening stock"
            )
            created += 1
    return created


def _material(rng: random.Random, number: int) -> dict:
    kind, unit, names = KINDS[number % len(KINDS)]
    return {
        "code": f"M{number:05d}",
        "name": f"{rng.choice(names)} {number}",
        "kind": kind,
        "unit": unit,
        "standard_cost": Decimal(rng.randint(5, 900)) / 100,
        "reorder_level": Decimal(rng.choice([0, 50, 100, 500])),
        "is_active": True,
    }


def _generate_bulk(rng: random.Random, warehouses: list[dict], materials: list[dict], movement_count: int) -> int:
    with bulk.Load() as load:
        load.copy_records(Warehouse, warehouses, bulk.before_history(rng, len(warehouses)))
        load.copy_records(Material, materials, bulk.before_history(rng, len(materials)))
        if StockMovement.objects.exists() or StockLevel.objects.exists():
            return load.created
        ledger = Ledger(
            rng,
            warehouses=list(Warehouse.objects.order_by("code").values_list("pk", "code")),
            materials=list(Material.objects.order_by("code").values_list("pk", flat=True)),
        )
        # The history's months need their partitions, or every row would land in the default one.
        history = (datetime.fromtimestamp(moment, UTC) for moment in (bulk.START, bulk.END))
        partitions.ensure_months(partitions.months_between(*history))
        ids = bulk.reserve_ids(StockMovement, movement_count)
        load.copy(StockMovement, MOVEMENT_COLUMNS, ledger.movements(ids), total=movement_count)
        load.copy(
            StockLevel,
            ["material_id", "warehouse_id", "on_hand", "updated_at"],
            ledger.levels(),
            total=len(ledger.pairs),
        )
    return load.created


class Ledger:
    """A simulated stock history over (material, warehouse) pairs, each material kept in one to
    four warehouses; it tracks the balances so that no movement takes more than is on hand."""

    DELIVERY, TRANSFER, ADJUSTMENT = 0.04, 0.09, 0.14  # cumulative shares of events; the rest are issues

    def __init__(self, rng: random.Random, *, warehouses: list[tuple[int, str]], materials: list[int]):
        self.rng = rng
        self.warehouses = warehouses
        self.pairs: list[tuple[int, int]] = []  # (material id, warehouse index)
        self.in_warehouse: list[list[int]] = [[] for _ in warehouses]  # pair indexes per warehouse
        self.of_material: dict[int, list[int]] = {}  # pair indexes per material
        for material in materials:
            kept = rng.sample(range(len(warehouses)), 1 + int(rng.random() * min(4, len(warehouses))))
            for warehouse in sorted(kept):
                self.in_warehouse[warehouse].append(len(self.pairs))
                self.of_material.setdefault(material, []).append(len(self.pairs))
                self.pairs.append((material, warehouse))
        self.balance = [0] * len(self.pairs)
        self.last_at = [0] * len(self.pairs)

    def movements(self, ids) -> Iterator[tuple]:
        """Rows for MOVEMENT_COLUMNS with the given ids, in time (and id) order."""
        rng, random, balance = self.rng, self.rng.random, self.balance
        times = bulk.spread(rng, len(ids))
        position, deliveries = 0, 0

        def post(pair: int, kind: str, quantity: int, at: int, reference_type="", reference_id=None, note=""):
            nonlocal position
            balance[pair] += quantity
            self.last_at[pair] = at
            material, warehouse = self.pairs[pair]
            row = (
                ids[position],
                material,
                self.warehouses[warehouse][0],
                kind,
                quantity,
                balance[pair],
                reference_type,
                reference_id,
                note,
                bulk.timestamp_text(at),
            )
            position += 1
            return row

        # Opening stock for every pair first, then events until the ledger is full; the lines of one
        # event (a delivery's materials, a transfer's two legs) share its time.
        for pair in range(min(len(self.pairs), len(ids))):
            yield post(pair, MovementKind.RECEIPT, 100 * (5 + int(random() * 46)), next(times), note="Opening stock")
        while (left := len(ids) - position) > 0:
            at, roll = next(times), random()
            pair = int(random() * len(self.pairs))
            if roll < self.DELIVERY:
                stocked = self.in_warehouse[int(random() * len(self.warehouses))] or [pair]
                lines = rng.sample(stocked, min(1 + int(random() * 7), left, len(stocked)))
                deliveries += 1
                for line in sorted(lines, key=lambda p: self.pairs[p][0]):  # material order, as the service posts
                    quantity = 100 * (1 + int(random() * 50))
                    yield post(line, MovementKind.RECEIPT, quantity, at, GOODS_RECEIPT, deliveries)
            elif (
                roll < self.TRANSFER
                and left >= 2
                and balance[pair] >= 2
                and len(self.of_material[self.pairs[pair][0]]) > 1
            ):
                others = [other for other in self.of_material[self.pairs[pair][0]] if other != pair]
                to = others[int(random() * len(others))]
                quantity = 1 + int(random() * balance[pair] * 0.5)
                out_id = ids[position]
                to_code, from_code = self.warehouses[self.pairs[to][1]][1], self.warehouses[self.pairs[pair][1]][1]
                yield post(pair, MovementKind.TRANSFER, -quantity, at, note=f"to {to_code}")
                yield post(to, MovementKind.TRANSFER, quantity, at, "stock_movement", out_id, f"from {from_code}")
            elif roll < self.ADJUSTMENT:
                quantity = 1 + int(random() * max(1, balance[pair] // 50))
                if random() < 0.5 and quantity <= balance[pair]:
                    quantity = -quantity
                yield post(pair, MovementKind.ADJUSTMENT, quantity, at, note="Stock count")
            elif balance[pair] == 0:
                yield post(pair, MovementKind.RECEIPT, 100 * (1 + int(random() * 20)), at, note="Returned to store")
            else:
                quantity = 1 + int(random() * balance[pair] * 0.3)
                yield post(pair, MovementKind.ISSUE, -quantity, at, note="Issued to production")
            # Times are drawn per movement: skip those of the extra lines an event posted.
            for _ in range(position - (len(ids) - left) - 1):
                next(times)

    def levels(self) -> Iterator[tuple]:
        """StockLevel rows (material, warehouse, on hand, updated at) once movements() is consumed."""
        for pair, (material, warehouse) in enumerate(self.pairs):
            if self.last_at[pair]:
                yield (
                    material,
                    self.warehouses[warehouse][0],
                    self.balance[pair],
                    bulk.timestamp_text(self.last_at[pair]),
                )
