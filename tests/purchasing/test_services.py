import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.inventory.models import StockLevel, StockMovement
from apps.purchasing import services
from apps.purchasing.choices import PURCHASE_ORDER_WORKFLOW, PurchaseOrderStatus
from apps.purchasing.models import GoodsReceipt, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierMaterial
from tests.factories import UserFactory
from tests.inventory.factories import MaterialFactory, WarehouseFactory
from tests.purchasing.factories import SupplierFactory, SupplierMaterialFactory, purchase_order, receive

pytestmark = pytest.mark.django_db

SENT = PurchaseOrderStatus.SENT
CANCELLED = PurchaseOrderStatus.CANCELLED


def on_hand(material, warehouse) -> Decimal:
    level = StockLevel.objects.filter(material=material, warehouse=warehouse).first()
    return level.on_hand if level else Decimal(0)


# --- Suppliers ---------------------------------------------------------------------------


def test_supplier_create_saves_a_valid_supplier():
    supplier = services.supplier_create(code="MILL1", name="Mill One", country="BD", currency="USD")
    assert Supplier.objects.get(code="MILL1") == supplier
    assert supplier.is_active and supplier.lead_time_days == 30


@pytest.mark.parametrize(("field", "value"), [("country", "BGD"), ("currency", "usd"), ("email", "not-an-email")])
def test_supplier_create_refuses_invalid_values(field, value):
    with pytest.raises(ValidationError) as error:
        services.supplier_create(**{"code": "MILL1", "name": "Mill", "country": "BD", "currency": "USD", field: value})
    assert field in error.value.message_dict
    assert not Supplier.objects.exists()


def test_supplier_create_refuses_a_duplicate_code():
    SupplierFactory(code="MILL1")
    with pytest.raises(ValidationError) as error:
        services.supplier_create(code="MILL1", name="Other", country="BD", currency="USD")
    assert "code" in error.value.message_dict


def test_supplier_update_changes_details_but_never_the_code():
    supplier = SupplierFactory(code="KEEP", lead_time_days=30)
    assert services.supplier_update(supplier=supplier, data={"lead_time_days": 45}).lead_time_days == 45
    with pytest.raises(ValueError, match="code"):
        services.supplier_update(supplier=supplier, data={"code": "OTHER"})
    assert Supplier.objects.filter(code="KEEP").exists()


# --- What suppliers sell -----------------------------------------------------------------


def test_supplier_material_create_records_price_and_preference():
    supplier, material = SupplierFactory(), MaterialFactory()
    row = services.supplier_material_create(
        supplier=supplier, material=material, unit_price=Decimal("4.1000"), is_preferred=True
    )
    assert SupplierMaterial.objects.get(pk=row.pk).unit_price == Decimal("4.1000")


def test_supplier_material_create_refuses_a_second_preferred_supplier_per_field():
    material = MaterialFactory()
    SupplierMaterialFactory(material=material, supplier=SupplierFactory(code="FIRST"), is_preferred=True)
    with pytest.raises(ValidationError) as error:
        services.supplier_material_create(
            supplier=SupplierFactory(), material=material, unit_price=Decimal(1), is_preferred=True
        )
    assert "FIRST is already the preferred supplier" in error.value.message_dict["is_preferred"][0]
    assert SupplierMaterial.objects.filter(material=material).count() == 1


def test_supplier_material_create_allows_several_non_preferred_suppliers():
    material = MaterialFactory()
    SupplierMaterialFactory(material=material, is_preferred=True)
    services.supplier_material_create(supplier=SupplierFactory(), material=material, unit_price=Decimal(1))
    services.supplier_material_create(supplier=SupplierFactory(), material=material, unit_price=Decimal(2))
    assert SupplierMaterial.objects.filter(material=material).count() == 3


def test_supplier_material_create_refuses_the_same_supplier_and_material_twice():
    row = SupplierMaterialFactory()
    with pytest.raises(ValidationError) as error:
        services.supplier_material_create(supplier=row.supplier, material=row.material, unit_price=Decimal(1))
    assert "already sells" in error.value.message_dict["material"][0]


def test_supplier_material_create_refuses_a_negative_price():
    with pytest.raises(ValidationError) as error:
        services.supplier_material_create(
            supplier=SupplierFactory(), material=MaterialFactory(), unit_price=Decimal("-1")
        )
    assert "unit_price" in error.value.message_dict


def test_supplier_material_update_refuses_marking_a_second_preferred_supplier():
    material = MaterialFactory()
    SupplierMaterialFactory(material=material, is_preferred=True)
    other = SupplierMaterialFactory(material=material, is_preferred=False)
    with pytest.raises(ValidationError) as error:
        services.supplier_material_update(supplier_material=other, data={"is_preferred": True})
    assert "is_preferred" in error.value.message_dict
    other.refresh_from_db()
    assert not other.is_preferred


def test_supplier_material_update_moves_the_preference_after_unmarking_the_first():
    material = MaterialFactory()
    first = SupplierMaterialFactory(material=material, is_preferred=True)
    second = SupplierMaterialFactory(material=material)
    services.supplier_material_update(supplier_material=first, data={"is_preferred": False})
    services.supplier_material_update(supplier_material=second, data={"is_preferred": True, "unit_price": Decimal(9)})
    assert list(SupplierMaterial.objects.filter(is_preferred=True)) == [second]


def test_supplier_material_update_keeps_the_preferred_row_itself_valid():
    row = SupplierMaterialFactory(is_preferred=True)
    updated = services.supplier_material_update(supplier_material=row, data={"unit_price": Decimal("7.5")})
    assert updated.is_preferred and updated.unit_price == Decimal("7.5")


def test_supplier_material_update_never_changes_supplier_or_material():
    row = SupplierMaterialFactory()
    with pytest.raises(ValueError, match="material"):
        services.supplier_material_update(supplier_material=row, data={"material": MaterialFactory()})


def test_supplier_material_delete_removes_the_row():
    row = SupplierMaterialFactory()
    services.supplier_material_delete(supplier_material=row)
    assert not SupplierMaterial.objects.exists()


# --- Creating and changing purchase orders -----------------------------------------------


def test_purchase_order_create_makes_a_numbered_draft_with_lines_and_total():
    supplier, warehouse = SupplierFactory(currency="EUR"), WarehouseFactory()
    fabric, trim = MaterialFactory(), MaterialFactory()
    order = services.purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[
            {"material": fabric, "quantity": Decimal("120.500"), "unit_price": Decimal("3.2000")},
            {"material": trim, "quantity": Decimal("1000"), "unit_price": Decimal("0.0125")},
        ],
    )
    order = PurchaseOrder.objects.get(pk=order.pk)
    assert order.number.startswith("PO") and len(order.number) == 9
    assert (order.status, order.currency) == (PurchaseOrderStatus.DRAFT, "EUR")  # the supplier's currency
    assert order.total == Decimal("398.10")  # 120.5 x 3.2 = 385.60, + 1000 x 0.0125 = 12.50
    assert order.lines.count() == 2


def test_purchase_order_create_numbers_never_repeat():
    first = purchase_order(lines=[(MaterialFactory(), 1, 1)])
    second = purchase_order(lines=[(MaterialFactory(), 1, 1)])
    assert first.number < second.number


def test_purchase_order_create_refuses_an_inactive_supplier():
    with pytest.raises(ValidationError) as error:
        purchase_order(supplier=SupplierFactory(is_active=False), lines=[(MaterialFactory(), 1, 1)])
    assert "supplier" in error.value.message_dict
    assert not PurchaseOrder.objects.exists()


def test_purchase_order_create_refuses_no_lines():
    with pytest.raises(ValidationError) as error:
        purchase_order(lines=[])
    assert error.value.message_dict == {"lines": ["A purchase order needs at least one line."]}
    assert not PurchaseOrder.objects.exists()


def test_purchase_order_create_refuses_a_material_twice():
    material = MaterialFactory(code="TWICE")
    with pytest.raises(ValidationError) as error:
        purchase_order(lines=[(material, 1, 1), (material, 2, 1)])
    assert error.value.message_dict == {"lines": ["Line 2: material: TWICE appears twice."]}
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize(
    ("field", "quantity", "price"), [("quantity", 0, 1), ("quantity", -5, 1), ("unit_price", 1, -1)]
)
def test_purchase_order_create_reports_bad_line_values_per_line(field, quantity, price):
    with pytest.raises(ValidationError) as error:
        purchase_order(lines=[(MaterialFactory(), 1, 1), (MaterialFactory(), quantity, price)])
    (message,) = error.value.message_dict["lines"]
    assert message.startswith(f"Line 2: {field}: ")
    assert not PurchaseOrder.objects.exists() and not PurchaseOrderLine.objects.exists()


def test_purchase_order_create_refuses_an_expected_date_before_the_order_date():
    with pytest.raises(ValidationError) as error:
        purchase_order(
            lines=[(MaterialFactory(), 1, 1)],
            order_date=datetime.date(2027, 3, 10),
            expected_date=datetime.date(2027, 3, 9),
        )
    assert "expected_date" in error.value.message_dict


def test_purchase_order_update_changes_a_draft_and_replaces_its_lines():
    order = purchase_order(lines=[(MaterialFactory(), 10, 1)])
    other_warehouse, new_material = WarehouseFactory(), MaterialFactory()
    services.purchase_order_update(
        purchase_order=order,
        data={"warehouse": other_warehouse, "notes": "Rush"},
        lines=[{"material": new_material, "quantity": Decimal(4), "unit_price": Decimal("2.50")}],
    )
    order.refresh_from_db()
    assert (order.warehouse, order.notes, order.total) == (other_warehouse, "Rush", Decimal("10.00"))
    assert [line.material for line in order.lines.all()] == [new_material]


def test_purchase_order_update_without_lines_keeps_them():
    order = purchase_order(lines=[(MaterialFactory(), 10, 1)])
    services.purchase_order_update(purchase_order=order, data={"notes": "Only the header"})
    assert order.lines.count() == 1


@pytest.mark.parametrize("status", [SENT, CANCELLED])
def test_purchase_order_update_refuses_anything_but_a_draft(status):
    order = purchase_order(lines=[(MaterialFactory(), 10, 1)], status=status)
    with pytest.raises(ValidationError) as error:
        services.purchase_order_update(purchase_order=order, data={"notes": "Too late"})
    assert "only drafts change" in error.value.message_dict["status"][0]
    with pytest.raises(ValidationError):
        services.purchase_order_update(
            purchase_order=order,
            data={},
            lines=[{"material": MaterialFactory(), "quantity": Decimal(1), "unit_price": Decimal(1)}],
        )
    order.refresh_from_db()
    assert order.notes == "" and order.lines.count() == 1


def test_purchase_order_update_never_changes_the_supplier():
    order = purchase_order(lines=[(MaterialFactory(), 10, 1)])
    with pytest.raises(ValueError, match="supplier"):
        services.purchase_order_update(purchase_order=order, data={"supplier": SupplierFactory()})


def test_purchase_order_recalculate_total_rounds_to_cents():
    order = purchase_order(lines=[(MaterialFactory(), "3.333", "1.0005")])
    assert services.purchase_order_recalculate_total(purchase_order=order).total == Decimal("3.33")


# --- Workflow ------------------------------------------------------------------------------


def order_in_status(status: str) -> PurchaseOrder:
    """A one-line purchase order (10 ordered) brought to `status` through the services."""
    material = MaterialFactory()
    if status in (PurchaseOrderStatus.DRAFT, CANCELLED):
        return purchase_order(lines=[(material, 10, 1)], status=status)
    order = purchase_order(lines=[(material, 10, 1)], status=SENT)
    if status != SENT:
        receive(order, {material: 10 if status == PurchaseOrderStatus.RECEIVED else 4})
    assert PurchaseOrder.objects.get(pk=order.pk).status == status
    return order


def test_purchase_order_transition_sends_a_draft():
    order = purchase_order(lines=[(MaterialFactory(), 10, 1)])
    assert services.purchase_order_transition(purchase_order=order, status=SENT).status == SENT
    assert PurchaseOrder.objects.get(pk=order.pk).status == SENT


@pytest.mark.parametrize("start", [PurchaseOrderStatus.DRAFT, SENT])
def test_purchase_order_transition_cancels_a_draft_or_sent_order(start):
    order = purchase_order(lines=[(MaterialFactory(), 10, 1)], status=start)
    assert services.purchase_order_transition(purchase_order=order, status=CANCELLED).status == CANCELLED


RECEIPT_STATUSES = {PurchaseOrderStatus.PARTIALLY_RECEIVED, PurchaseOrderStatus.RECEIVED}


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (start, target)
        for start in PurchaseOrderStatus.values
        for target in [*PurchaseOrderStatus.values, "bogus"]
        if target not in PURCHASE_ORDER_WORKFLOW.allowed(start) and target not in RECEIPT_STATUSES
    ],
)
def test_purchase_order_transition_refuses_every_illegal_move(start, target):
    order = order_in_status(start)
    with pytest.raises(ValidationError) as error:
        services.purchase_order_transition(purchase_order=order, status=target)
    assert f"cannot go from '{start}' to '{target}'" in error.value.message_dict["status"][0]
    assert PurchaseOrder.objects.get(pk=order.pk).status == start


@pytest.mark.parametrize("target", sorted(RECEIPT_STATUSES))
@pytest.mark.parametrize("start", PurchaseOrderStatus.values)
def test_purchase_order_transition_refuses_receipt_statuses_without_goods(start, target):
    order = order_in_status(start)
    with pytest.raises(ValidationError) as error:
        services.purchase_order_transition(purchase_order=order, status=target)
    assert "Receive goods" in error.value.message_dict["status"][0]
    assert PurchaseOrder.objects.get(pk=order.pk).status == start


# --- Goods receipt -----------------------------------------------------------------------


def test_purchase_order_receive_partial_then_full_moves_status_and_posts_stock():
    warehouse, fabric, trim = WarehouseFactory(), MaterialFactory(), MaterialFactory()
    user = UserFactory(roles=["warehouse"])
    order = purchase_order(lines=[(fabric, "100", "3"), (trim, "500", "0.1")], warehouse=warehouse, status=SENT)

    first = receive(order, {fabric: "60.500"}, delivery_note="DN-1", user=user)
    assert PurchaseOrder.objects.get(pk=order.pk).status == PurchaseOrderStatus.PARTIALLY_RECEIVED
    assert on_hand(fabric, warehouse) == Decimal("60.500")

    second = receive(order, {fabric: "39.500", trim: "200"}, delivery_note="DN-2", user=user)
    assert PurchaseOrder.objects.get(pk=order.pk).status == PurchaseOrderStatus.PARTIALLY_RECEIVED
    third = receive(order, {trim: "300"}, delivery_note="DN-3", user=user)
    assert PurchaseOrder.objects.get(pk=order.pk).status == PurchaseOrderStatus.RECEIVED

    assert (on_hand(fabric, warehouse), on_hand(trim, warehouse)) == (Decimal(100), Decimal(500))
    lines = {line.material_id: line for line in order.lines.all()}
    assert lines[fabric.pk].received_quantity == Decimal(100) and lines[trim.pk].received_quantity == Decimal(500)
    assert [(receipt.delivery_note, receipt.received_by) for receipt in (first, second, third)] == [
        ("DN-1", user),
        ("DN-2", user),
        ("DN-3", user),
    ]
    assert [line.quantity for line in second.lines.order_by("purchase_order_line_id")] == [Decimal("39.5"), 200]


def test_purchase_order_receive_posts_receipt_movements_referencing_the_goods_receipt():
    warehouse, fabric = WarehouseFactory(), MaterialFactory()
    user = UserFactory()
    order = purchase_order(lines=[(fabric, "100", "3")], warehouse=warehouse, status=SENT)
    receipt = receive(order, {fabric: "40"}, delivery_note="DN-9", user=user)
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.material, movement.warehouse) == ("receipt", fabric, warehouse)
    assert (movement.quantity, movement.balance_after) == (Decimal(40), Decimal(40))
    assert (movement.reference_type, movement.reference_id) == ("goods_receipt", receipt.pk)
    assert movement.note == f"{order.number} DN-9" and movement.created_by == user


def test_purchase_order_receive_adds_to_existing_stock():
    warehouse, fabric = WarehouseFactory(), MaterialFactory()
    receive(purchase_order(lines=[(fabric, "10", "1")], warehouse=warehouse, status=SENT), {fabric: "10"})
    receive(purchase_order(lines=[(fabric, "5", "1")], warehouse=warehouse, status=SENT), {fabric: "5"})
    assert on_hand(fabric, warehouse) == Decimal(15)
    assert list(StockMovement.objects.order_by("id").values_list("balance_after", flat=True)) == [10, 15]


def test_purchase_order_receive_sums_a_line_given_twice():
    fabric = MaterialFactory()
    order = purchase_order(lines=[(fabric, "10", "1")], status=SENT)
    line = order.lines.get()
    services.purchase_order_receive(
        purchase_order=order, lines=[{"line": line, "quantity": Decimal(4)}, {"line": line, "quantity": Decimal(6)}]
    )
    assert PurchaseOrder.objects.get(pk=order.pk).status == PurchaseOrderStatus.RECEIVED


def assert_nothing_received(order, warehouse):
    assert not GoodsReceipt.objects.filter(purchase_order=order).exists()
    assert not StockMovement.objects.filter(warehouse=warehouse).exists()
    assert all(line.received_quantity == 0 for line in order.lines.all())


@pytest.mark.parametrize("quantity", ["10.001", "25"])
def test_purchase_order_receive_refuses_over_receipt(quantity):
    warehouse, fabric = WarehouseFactory(), MaterialFactory(code="FAB-OVER")
    order = purchase_order(lines=[(fabric, "10", "1")], warehouse=warehouse, status=SENT)
    with pytest.raises(ValidationError) as error:
        receive(order, {fabric: quantity})
    assert "FAB-OVER" in error.value.message_dict["lines"][0] and "only 10.000 outstanding" in str(error.value)
    assert_nothing_received(order, warehouse)


def test_purchase_order_receive_refuses_over_receipt_across_deliveries():
    warehouse, fabric = WarehouseFactory(), MaterialFactory()
    order = purchase_order(lines=[(fabric, "10", "1")], warehouse=warehouse, status=SENT)
    receive(order, {fabric: "7"})
    with pytest.raises(ValidationError, match=r"only 3\.000 outstanding"):
        receive(order, {fabric: "4"})
    assert on_hand(fabric, warehouse) == Decimal(7)
    assert GoodsReceipt.objects.count() == 1


def test_purchase_order_receive_refuses_over_receipt_when_a_line_is_given_twice():
    warehouse, fabric = WarehouseFactory(), MaterialFactory()
    order = purchase_order(lines=[(fabric, "10", "1")], warehouse=warehouse, status=SENT)
    line = order.lines.get()
    with pytest.raises(ValidationError, match="outstanding"):
        services.purchase_order_receive(
            purchase_order=order,
            lines=[{"line": line, "quantity": Decimal(6)}, {"line": line, "quantity": Decimal(6)}],
        )
    assert_nothing_received(order, warehouse)


@pytest.mark.parametrize("status", [PurchaseOrderStatus.DRAFT, CANCELLED])
def test_purchase_order_receive_refuses_a_draft_or_cancelled_order(status):
    warehouse, fabric = WarehouseFactory(), MaterialFactory()
    order = purchase_order(lines=[(fabric, "10", "1")], warehouse=warehouse, status=status)
    with pytest.raises(ValidationError) as error:
        receive(order, {fabric: "1"})
    assert "cannot be received" in error.value.message_dict["status"][0]
    assert_nothing_received(order, warehouse)


def test_purchase_order_receive_refuses_a_fully_received_order():
    fabric = MaterialFactory()
    order = purchase_order(lines=[(fabric, "10", "1")], status=SENT)
    receive(order, {fabric: "10"})
    with pytest.raises(ValidationError, match="received; it cannot be received"):
        receive(order, {fabric: "1"})


def test_purchase_order_receive_refuses_a_duplicate_delivery_note():
    warehouse, fabric = WarehouseFactory(), MaterialFactory()
    order = purchase_order(lines=[(fabric, "10", "1")], warehouse=warehouse, status=SENT)
    receive(order, {fabric: "4"}, delivery_note="DN-77")
    with pytest.raises(ValidationError) as error:
        receive(order, {fabric: "4"}, delivery_note="DN-77")
    assert "DN-77 was already received" in error.value.message_dict["delivery_note"][0]
    assert on_hand(fabric, warehouse) == Decimal(4)
    assert GoodsReceipt.objects.count() == 1


def test_purchase_order_receive_allows_the_same_delivery_note_on_another_order_and_blank_notes_twice():
    fabric = MaterialFactory()
    first = purchase_order(lines=[(fabric, "10", "1")], status=SENT)
    second = purchase_order(lines=[(fabric, "10", "1")], status=SENT)
    receive(first, {fabric: "1"}, delivery_note="DN-1")
    receive(second, {fabric: "1"}, delivery_note="DN-1")
    receive(first, {fabric: "1"})
    receive(first, {fabric: "1"})
    assert GoodsReceipt.objects.count() == 4


def test_purchase_order_receive_refuses_a_line_of_another_order():
    fabric = MaterialFactory()
    order = purchase_order(lines=[(fabric, "10", "1")], status=SENT)
    other = purchase_order(lines=[(fabric, "10", "1")], status=SENT)
    with pytest.raises(ValidationError, match="is not on"):
        services.purchase_order_receive(
            purchase_order=order, lines=[{"line": other.lines.get(), "quantity": Decimal(1)}]
        )
    assert not GoodsReceipt.objects.exists()


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_purchase_order_receive_refuses_zero_or_negative_quantities(quantity):
    fabric = MaterialFactory()
    order = purchase_order(lines=[(fabric, "10", "1")], status=SENT)
    with pytest.raises(ValidationError, match="greater than zero"):
        receive(order, {fabric: quantity})
    assert not GoodsReceipt.objects.exists()


def test_purchase_order_receive_refuses_an_empty_delivery():
    order = purchase_order(lines=[(MaterialFactory(), "10", "1")], status=SENT)
    with pytest.raises(ValidationError, match="at least one line"):
        services.purchase_order_receive(purchase_order=order, lines=[])
