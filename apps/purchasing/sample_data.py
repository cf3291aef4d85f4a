"""Deterministic sample suppliers, their prices and purchase orders (see `manage.py generate_data`).

At bulk scale the purchase orders explain the stock ledger: every delivery that inventory's
generator posted (receipts referencing goods receipt N) becomes goods receipt N against a
received or partially received purchase order, with lines received exactly as the ledger says.
The remaining purchase orders are open (draft, sent) or cancelled, with nothing received.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from apps.core import bulk
from apps.inventory.models import Material, StockMovement, Warehouse
from apps.inventory.sample_data import GOODS_RECEIPT

from . import services
from .choices import PurchaseOrderStatus
from .models import GoodsReceipt, GoodsReceiptLine, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierMaterial

# Suppliers, purchase orders; "tiny" runs the bulk (COPY) path for tests.
COUNTS = {"small": (6, 10), "tiny": (4, 30), "medium": (25, 5_000), "large": (500, 100_000)}
MILLS = [("CN", "USD"), ("BD", "USD"), ("IN", "USD"), ("TR", "EUR"), ("PT", "EUR"), ("VN", "USD")]
ORDER_COLUMNS = [
    "id",
    "number",
    "supplier_id",
    "warehouse_id",
    "status",
    "order_date",
    "expected_date",
    "currency",
    "total",
    "notes",
    "created_at",
    "updated_at",
]


def generate(*, scale: str, seed: int) -> int:
    """Suppliers SUP001.., a preferred price for every material, and purchase orders (first run only)."""
    rng = random.Random(seed)
    supplier_count, order_count = COUNTS[scale]
    suppliers = [_supplier(rng, number) for number in range(1, supplier_count + 1)]
    if scale != "small":
        return _generate_bulk(rng, suppliers, order_count)
    before = Supplier.objects.count()
    Supplier.objects.bulk_create([Supplier(**fields) for fields in suppliers], ignore_conflicts=True)
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


def _supplier(rng: random.Random, number: int) -> dict:
    country, currency = rng.choice(MILLS)
    return {
        "code": f"SUP{number:03d}",
        "name": f"Mill {number}",
        "country": country,
        "currency": currency,
        "email": "",
        "lead_time_days": rng.choice([21, 30, 45, 60]),
        "is_active": True,
    }


@dataclass
class _Order:
    """A purchase order to write: lines are [material, quantity, unit price in cents, received]."""

    created: int
    supplier: int  # index into the supplier list
    warehouse: int
    status: str
    updated: int
    lines: list[list[int]] = field(default_factory=list)
    receipt: int | None = None  # goods receipt id (the ledger's reference), if delivered
    received_at: int = 0


def _generate_bulk(rng: random.Random, suppliers: list[dict], order_count: int) -> int:
    with bulk.Load() as load:
        load.copy_records(Supplier, suppliers, bulk.before_history(rng, len(suppliers)))
        if SupplierMaterial.objects.exists() or PurchaseOrder.objects.exists():
            return load.created
        plan = _Plan(
            rng,
            suppliers=list(Supplier.objects.order_by("code").values_list("pk", "currency", "lead_time_days")),
            materials=list(Material.objects.order_by("code").values_list("pk", "standard_cost")),
            warehouses=list(Warehouse.objects.order_by("code").values_list("pk", flat=True)),
        )
        if not (plan.suppliers and plan.materials and plan.warehouses):
            return load.created
        load.copy(SupplierMaterial, ["supplier_id", "material_id", "unit_price", "is_preferred"], plan.prices())
        orders = plan.delivered_orders()
        orders += plan.open_orders(order_count - len(orders))
        _copy_orders(load, plan, orders)
    return load.created


def _copy_orders(load: bulk.Load, plan: "_Plan", orders: list[_Order]) -> None:
    """Purchase orders and their lines, then the goods receipts and receipt lines of the delivered ones."""
    orders.sort(key=lambda order: order.created)  # ids and numbers follow creation time
    order_ids = bulk.reserve_ids(PurchaseOrder, len(orders))
    line_ids = iter(bulk.reserve_ids(PurchaseOrderLine, sum(len(order.lines) for order in orders)))
    numbers = bulk.take_from_sequence("purchasing_purchase_order_number_seq", len(orders))
    load.copy(PurchaseOrder, ORDER_COLUMNS, plan.headers(orders, order_ids, numbers), total=len(orders))
    lines = [
        (next(line_ids), order_id, material, quantity, bulk.fixed(cents, 2), received)
        for order, order_id in zip(orders, order_ids, strict=True)
        for material, quantity, cents, received in order.lines
    ]
    columns = ["id", "purchase_order_id", "material_id", "quantity", "unit_price", "received_quantity"]
    load.copy(PurchaseOrderLine, columns, lines, total=len(lines))
    delivered = [(order, order_id) for order, order_id in zip(orders, order_ids, strict=True) if order.receipt]
    delivered.sort(key=lambda pair: pair[0].receipt)
    receipts = (
        (order.receipt, order_id, f"DN{order.receipt:07d}", bulk.timestamp_text(order.received_at))
        for order, order_id in delivered
    )
    columns = ["id", "purchase_order_id", "delivery_note", "received_at"]
    load.copy(GoodsReceipt, columns, receipts, total=len(delivered))
    # Goods receipt ids are the ledger's references, copied in as they are.
    bulk.sync_id_sequence(GoodsReceipt)
    receipt_of = {order_id: order.receipt for order, order_id in delivered}
    receipt_lines = (
        (receipt_of[order_id], line_id, received)
        for line_id, order_id, _, _, _, received in lines
        if received and order_id in receipt_of
    )
    load.copy(GoodsReceiptLine, ["receipt_id", "purchase_order_line_id", "quantity"], receipt_lines)


class _Plan:
    """Suppliers' prices and the purchase orders to write, from the materials and the ledger's deliveries."""

    def __init__(self, rng: random.Random, *, suppliers: list, materials: list, warehouses: list[int]):
        self.rng, self.suppliers, self.materials, self.warehouses = rng, suppliers, materials, warehouses
        self.preferred: dict[int, tuple[int, int]] = {}  # material -> (supplier index, price in cents)
        self.sells: list[list[int]] = [[] for _ in suppliers]  # materials each supplier is preferred for

    def prices(self) -> Iterator[tuple]:
        """SupplierMaterial rows: a preferred supplier for every material, and a dearer second one for some."""
        random = self.rng.random
        for material, standard_cost in self.materials:
            supplier = int(random() * len(self.suppliers))
            cents = max(1, int(standard_cost * 110))
            self.preferred[material] = (supplier, cents)
            self.sells[supplier].append(material)
            yield self.suppliers[supplier][0], material, bulk.fixed(cents, 2), True
            if len(self.suppliers) > 1 and random() < 0.4:
                other = (supplier + 1 + int(random() * (len(self.suppliers) - 1))) % len(self.suppliers)
                yield (
                    self.suppliers[other][0],
                    material,
                    bulk.fixed(cents * (105 + int(random() * 15)) // 100, 2),
                    False,
                )

    def delivered_orders(self) -> list[_Order]:
        """One order per delivery in the ledger, ordered from the first material's preferred supplier
        a lead time earlier; recent deliveries are often partial (more ordered, or a line still to come)."""
        deliveries: dict[int, tuple[int, int, list]] = {}
        rows = (
            StockMovement.objects.filter(reference_type=GOODS_RECEIPT)
            .order_by("id")
            .values_list("reference_id", "warehouse_id", "material_id", "quantity", "created_at")
        )
        for receipt, warehouse, material, quantity, at in rows:
            deliveries.setdefault(receipt, (warehouse, int(at.timestamp()), []))[2].append((material, int(quantity)))
        random, orders = self.rng.random, []
        for receipt, (warehouse, at, received) in deliveries.items():
            supplier, _ = self.preferred[received[0][0]]
            lead = self.suppliers[supplier][2]
            created = at - (lead - 5 + int(random() * 11)) * bulk.DAY - int(random() * bulk.DAY)
            order = _Order(
                created, supplier, warehouse, PurchaseOrderStatus.RECEIVED, at, receipt=receipt, received_at=at
            )
            order.lines = [
                [material, quantity, self.preferred[material][1], quantity] for material, quantity in received
            ]
            if random() < (0.5 if at > bulk.END - 45 * bulk.DAY else 0.03):
                order.status = PurchaseOrderStatus.PARTIALLY_RECEIVED
                missing = [m for m in self.sells[supplier] if m not in {line[0] for line in order.lines}]
                if missing and random() < 0.5:
                    material = missing[int(random() * len(missing))]
                    order.lines.append([material, 100 * (1 + int(random() * 50)), self.preferred[material][1], 0])
                else:
                    order.lines[int(random() * len(order.lines))][1] += 100 * (1 + int(random() * 10))
            orders.append(order)
        return orders

    def open_orders(self, count: int) -> list[_Order]:
        """Open or cancelled orders, nothing received: recent drafts and sent orders, cancellations any time."""
        random, orders = self.rng.random, []
        for _ in range(max(0, count)):
            supplier = int(random() * len(self.suppliers))
            lead = self.suppliers[supplier][2]
            roll = random()
            if roll < 0.35:
                status, since = PurchaseOrderStatus.CANCELLED, bulk.START
            elif roll < 0.75:
                status, since = PurchaseOrderStatus.SENT, bulk.END - (lead + 20) * bulk.DAY
            else:
                status, since = PurchaseOrderStatus.DRAFT, bulk.END - 20 * bulk.DAY
            created = since + int(random() * (bulk.END - since))
            updated = (
                created
                if status == PurchaseOrderStatus.DRAFT
                else min(bulk.END, created + int(random() * 9 * bulk.DAY))
            )
            order = _Order(created, supplier, self.warehouses[int(random() * len(self.warehouses))], status, updated)
            sells = self.sells[supplier] or [material for material, _ in self.materials]
            for material in sorted(self.rng.sample(sells, min(1 + int(random() * 7), len(sells)))):
                order.lines.append([material, 100 * (1 + int(random() * 50)), self.preferred[material][1], 0])
            orders.append(order)
        return orders

    def headers(self, orders: list[_Order], ids, numbers) -> Iterator[tuple]:
        """PurchaseOrder rows; the total is the lines' quantity x unit price, exact to the cent."""
        text = bulk.timestamp_text
        for order, order_id, number in zip(orders, ids, numbers, strict=True):
            pk, currency, lead = self.suppliers[order.supplier]
            day = order.created // bulk.DAY
            yield (
                order_id,
                f"PO{number:07d}",
                pk,
                order.warehouse,
                order.status,
                bulk.day_text(day),
                bulk.day_text(day + lead),
                currency,
                bulk.fixed(sum(quantity * cents for _, quantity, cents, _ in order.lines), 2),
                "",
                text(order.created),
                text(order.updated),
            )
