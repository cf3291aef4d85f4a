"""Factories for purchasing tests, with small ones for the other apps' rows they need.

Purchase orders made by PurchaseOrderFactory skip the services (fast rows for lists); tests of
behaviour build them with the helpers at the bottom, which go through the services.
"""

import datetime
from decimal import Decimal

import factory

from apps.orders import services as order_services
from apps.orders.choices import OrderStatus
from apps.purchasing import services
from apps.purchasing.choices import PurchaseOrderStatus
from apps.purchasing.models import GoodsReceipt, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierMaterial
from tests.factories import UserFactory
from tests.inventory.factories import MaterialFactory, WarehouseFactory


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"SUP{n:04d}")
    name = factory.Sequence(lambda n: f"Supplier {n:04d}")
    country = "CN"
    currency = "USD"
    email = factory.LazyAttribute(lambda supplier: f"{supplier.code.lower()}@mill.example")


class SupplierMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierMaterial

    supplier = factory.SubFactory(SupplierFactory)
    material = factory.SubFactory(MaterialFactory)
    unit_price = Decimal("3.2500")
    is_preferred = False


class PurchaseOrderFactory(factory.django.DjangoModelFactory):
    """A bare purchase order row (no service): for list and changelist tests."""

    class Meta:
        model = PurchaseOrder

    number = factory.Sequence(lambda n: f"TPO{n:07d}")
    supplier = factory.SubFactory(SupplierFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    currency = "USD"
    status = PurchaseOrderStatus.DRAFT


class PurchaseOrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PurchaseOrderLine

    purchase_order = factory.SubFactory(PurchaseOrderFactory)
    material = factory.SubFactory(MaterialFactory)
    quantity = Decimal("100.000")
    unit_price = Decimal("2.5000")


class GoodsReceiptFactory(factory.django.DjangoModelFactory):
    """A bare receipt row (no stock posted): for changelist tests."""

    class Meta:
        model = GoodsReceipt

    purchase_order = factory.SubFactory(PurchaseOrderFactory, status=PurchaseOrderStatus.PARTIALLY_RECEIVED)
    delivery_note = factory.Sequence(lambda n: f"DN-{n:05d}")
    received_by = factory.SubFactory(UserFactory)


# --- Through the services ---------------------------------------------------------------


def purchase_order(*, lines, supplier=None, warehouse=None, status=PurchaseOrderStatus.DRAFT, **header):
    """A purchase order made by the service: lines are (material, quantity, unit price) tuples.

    status="sent" sends it; "cancelled" cancels the draft.
    """
    made = services.purchase_order_create(
        supplier=supplier or SupplierFactory(),
        warehouse=warehouse or WarehouseFactory(),
        lines=[
            {"material": material, "quantity": Decimal(quantity), "unit_price": Decimal(price)}
            for material, quantity, price in lines
        ],
        **header,
    )
    if status != PurchaseOrderStatus.DRAFT:
        made = services.purchase_order_transition(purchase_order=made, status=status)
    return made


def receive(purchase_order, quantities: dict, delivery_note: str = "", user=None):
    """Receive {material: quantity} against a purchase order through the service."""
    lines = {line.material_id: line for line in purchase_order.lines.all()}
    return services.purchase_order_receive(
        purchase_order=purchase_order,
        lines=[{"line": lines[material.pk], "quantity": Decimal(qty)} for material, qty in quantities.items()],
        delivery_note=delivery_note,
        user=user,
    )


def sales_order(*, lines, status=OrderStatus.CONFIRMED, buyer=None):
    """A buyer's order through the orders services: lines are (style, colour, size, quantity) tuples.

    status walks the workflow: draft, confirmed, in_production, shipped, or cancelled (from confirmed).
    """
    buyer = buyer or lines[0][0].buyer
    order = order_services.order_create(
        buyer=buyer,
        ship_date=datetime.date.today() + datetime.timedelta(days=60),
        lines=[
            {"style": style, "colour": colour, "size": size, "quantity": quantity, "unit_price": Decimal("5.00")}
            for style, colour, size, quantity in lines
        ],
    )
    path = {
        OrderStatus.DRAFT: [],
        OrderStatus.CONFIRMED: [OrderStatus.CONFIRMED],
        OrderStatus.IN_PRODUCTION: [OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION],
        OrderStatus.SHIPPED: [OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED],
        OrderStatus.CANCELLED: [OrderStatus.CONFIRMED, OrderStatus.CANCELLED],
    }[status]
    for step in path:
        order = order_services.order_transition(order=order, status=step)
    return order
