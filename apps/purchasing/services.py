"""Writes to suppliers and purchase orders, and goods receipt (which posts stock)."""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F, Sum

from apps.core.audit import bulk_create_audited, delete_with_history
from apps.core.locks import lock_for_transaction
from apps.core.numbering import next_number
from apps.core.services import create_validated, update_validated
from apps.inventory.models import Material, Warehouse
from apps.inventory.services import stock_receive

from .choices import PURCHASE_ORDER_WORKFLOW, RECEIVABLE_STATUSES, PurchaseOrderStatus
from .models import GoodsReceipt, GoodsReceiptLine, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierMaterial
from .selectors import material_requirements, order_quantity


def supplier_create(**fields) -> Supplier:
    """Create a supplier after full validation."""
    return create_validated(Supplier, **fields)


def supplier_update(*, supplier: Supplier, data: dict) -> Supplier:
    """Change a supplier's details; its code never changes."""
    return update_validated(supplier, data)


def supplier_material_check(supplier_material: SupplierMaterial) -> None:
    """Explain the two uniqueness rules per field, before the database constraints would refuse them.

    One supplier row per material and supplier; at most one preferred supplier per material.
    The API (through the services below) and the admin's forms both use it.
    """
    others = SupplierMaterial.objects.filter(material_id=supplier_material.material_id).exclude(pk=supplier_material.pk)
    if others.filter(supplier_id=supplier_material.supplier_id).exists():
        raise ValidationError({"material": "This supplier already sells this material; change that price instead."})
    if supplier_material.is_preferred:
        preferred = others.filter(is_preferred=True).select_related("supplier").first()
        if preferred is not None:
            raise ValidationError(
                {
                    "is_preferred": f"{preferred.supplier.code} is already the preferred supplier of this material; "
                    "unmark it first."
                }
            )


@transaction.atomic
def supplier_material_create(
    *, supplier: Supplier, material: Material, unit_price: Decimal, is_preferred: bool = False
) -> SupplierMaterial:
    """Record that a supplier sells a material at a price; at most one supplier per material is preferred."""
    # Serialises writers per material, so two concurrent "preferred" rows get a clear error, not an IntegrityError.
    lock_for_transaction(f"purchasing.supplier_material:{material.pk}")
    supplier_material = SupplierMaterial(
        supplier=supplier, material=material, unit_price=unit_price, is_preferred=is_preferred
    )
    supplier_material_check(supplier_material)
    supplier_material.full_clean()
    supplier_material.save()
    return supplier_material


@transaction.atomic
def supplier_material_update(*, supplier_material: SupplierMaterial, data: dict) -> SupplierMaterial:
    """Change a supplier's price or preferred flag; the supplier and material never change."""
    lock_for_transaction(f"purchasing.supplier_material:{supplier_material.material_id}")
    refused = set(data) - {"unit_price", "is_preferred"}
    if refused:
        raise ValueError(f"Not updatable: {sorted(refused)}")
    supplier_material = SupplierMaterial.objects.select_for_update().get(pk=supplier_material.pk)
    for field, value in data.items():
        setattr(supplier_material, field, value)
    supplier_material_check(supplier_material)
    supplier_material.full_clean()
    supplier_material.save()
    return supplier_material


def supplier_material_delete(*, supplier_material: SupplierMaterial) -> None:
    """Stop buying a material from a supplier (past purchase orders keep their own prices)."""
    supplier_material.delete()


def _replace_lines(purchase_order: PurchaseOrder, lines: list[dict]) -> None:
    if not lines:
        raise ValidationError({"lines": ["A purchase order needs at least one line."]})
    # Django's ValidationError holds only flat lists per field, so per-line errors are messages naming the line.
    built, seen, errors = [], set(), []
    for number, data in enumerate(lines, start=1):
        line = PurchaseOrderLine(purchase_order=purchase_order, **data)
        try:
            line.full_clean(exclude=["purchase_order"], validate_unique=False, validate_constraints=False)
            if line.material_id in seen:
                raise ValidationError({"material": f"{line.material.code} appears twice."})
            seen.add(line.material_id)
        except ValidationError as error:
            errors += [
                f"Line {number}: {message}" if field == NON_FIELD_ERRORS else f"Line {number}: {field}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        built.append(line)
    if errors:
        raise ValidationError({"lines": errors})
    delete_with_history(purchase_order.lines.all())
    bulk_create_audited(built, PurchaseOrderLine)
    purchase_order_recalculate_total(purchase_order=purchase_order)


def purchase_order_recalculate_total(*, purchase_order: PurchaseOrder) -> PurchaseOrder:
    """Set the total to the sum of quantity x unit price over the lines, in the caller's transaction."""
    total = purchase_order.lines.aggregate(total=Sum(F("quantity") * F("unit_price")))["total"] or Decimal(0)
    purchase_order.total = round(total, 2)
    PurchaseOrder.objects.filter(pk=purchase_order.pk).update(total=purchase_order.total)
    return purchase_order


@transaction.atomic
def purchase_order_create(
    *, supplier: Supplier, warehouse: Warehouse, lines: list[dict] | None, **header
) -> PurchaseOrder:
    """Create a draft purchase order with its lines; the currency defaults to the supplier's.

    lines=None is for the admin, whose inline form saves the lines next and then calls
    purchase_order_recalculate_total() in the same transaction.
    """
    if not supplier.is_active:
        raise ValidationError({"supplier": f"Supplier {supplier.code} is inactive."})
    header["currency"] = header.get("currency") or supplier.currency
    purchase_order = PurchaseOrder(supplier=supplier, warehouse=warehouse, **header)
    purchase_order.number = next_number("purchasing_purchase_order_number_seq", "PO")
    purchase_order.full_clean()
    purchase_order.save()
    if lines is not None:
        _replace_lines(purchase_order, lines)
    return purchase_order


@transaction.atomic
def purchase_order_update(*, purchase_order: PurchaseOrder, data: dict, lines: list[dict] | None = None):
    """Change a draft purchase order's header and, if given, replace its lines."""
    purchase_order = PurchaseOrder.objects.select_for_update().get(pk=purchase_order.pk)
    if purchase_order.status != PurchaseOrderStatus.DRAFT:
        raise ValidationError({"status": f"{purchase_order.number} is {purchase_order.status}; only drafts change."})
    if data:
        purchase_order = update_validated(purchase_order, data, fixed=("number", "supplier", "status", "total"))
    if lines is not None:
        _replace_lines(purchase_order, lines)
    return purchase_order


@transaction.atomic
def purchase_order_transition(*, purchase_order: PurchaseOrder, status: str) -> PurchaseOrder:
    """Send or cancel a purchase order. Receipt statuses are set by purchase_order_receive only."""
    purchase_order = PurchaseOrder.objects.select_for_update().get(pk=purchase_order.pk)
    if status in (PurchaseOrderStatus.PARTIALLY_RECEIVED, PurchaseOrderStatus.RECEIVED):
        raise ValidationError({"status": "Receive goods to move a purchase order to received."})
    PURCHASE_ORDER_WORKFLOW.check(purchase_order.status, status)
    if status == PurchaseOrderStatus.CANCELLED and purchase_order.receipts.exists():
        raise ValidationError({"status": "Goods were already received against this order; it cannot be cancelled."})
    purchase_order.status = status
    purchase_order.save(update_fields=["status", "updated_at"])
    return purchase_order


@transaction.atomic
def purchase_order_receive(
    *, purchase_order: PurchaseOrder, lines: list[dict], delivery_note: str = "", user=None
) -> GoodsReceipt:
    """Book a delivery: [{"line": PurchaseOrderLine, "quantity": Decimal}].

    Posts a stock receipt per line into the order's warehouse, raises received quantities
    (never above what was ordered) and moves the order to partially_received or received.
    """
    purchase_order = PurchaseOrder.objects.select_for_update().get(pk=purchase_order.pk)
    if purchase_order.status not in RECEIVABLE_STATUSES:
        raise ValidationError({"status": f"{purchase_order.number} is {purchase_order.status}; it cannot be received."})
    if delivery_note and purchase_order.receipts.filter(delivery_note=delivery_note).exists():
        raise ValidationError({"delivery_note": f"Delivery note {delivery_note} was already received on this order."})

    quantities: dict[int, Decimal] = defaultdict(Decimal)
    for entry in lines:
        if entry["line"].purchase_order_id != purchase_order.pk:
            raise ValidationError({"lines": f"Line {entry['line'].pk} is not on {purchase_order.number}."})
        if entry["quantity"] <= 0:
            raise ValidationError({"lines": "Received quantities must be greater than zero."})
        quantities[entry["line"].pk] += entry["quantity"]
    if not quantities:
        raise ValidationError({"lines": "Receive at least one line."})

    order_lines = {
        line.pk: line
        for line in PurchaseOrderLine.objects.select_for_update().select_related("material").filter(pk__in=quantities)
    }
    for line_id, quantity in quantities.items():
        line = order_lines[line_id]
        if quantity > line.outstanding:
            raise ValidationError(
                {"lines": f"{line.material.code}: {quantity} received but only {line.outstanding} outstanding."}
            )

    receipt = GoodsReceipt.objects.create(purchase_order=purchase_order, delivery_note=delivery_note, received_by=user)
    # Posted in material order, so concurrent receipts lock stock levels in the same order.
    for line_id, quantity in sorted(quantities.items(), key=lambda item: order_lines[item[0]].material_id):
        line = order_lines[line_id]
        GoodsReceiptLine.objects.create(receipt=receipt, purchase_order_line=line, quantity=quantity)
        PurchaseOrderLine.objects.filter(pk=line_id).update(received_quantity=F("received_quantity") + quantity)
        stock_receive(
            material=line.material,
            warehouse=purchase_order.warehouse,
            quantity=quantity,
            reference_type="goods_receipt",
            reference_id=receipt.pk,
            note=f"{purchase_order.number} {delivery_note}".strip(),
            user=user,
        )

    outstanding = purchase_order.lines.aggregate(left=Sum(F("quantity") - F("received_quantity")))["left"]
    purchase_order.status = PurchaseOrderStatus.RECEIVED if outstanding <= 0 else PurchaseOrderStatus.PARTIALLY_RECEIVED
    purchase_order.save(update_fields=["status", "updated_at"])
    return receipt


@transaction.atomic
def purchase_orders_draft_for_shortages(*, warehouse: Warehouse) -> tuple[list[PurchaseOrder], list]:
    """Draft one purchase order per preferred supplier covering every current shortage.

    Returns the drafts and the short materials left out because they have no preferred supplier.
    Drafts count as on order, so running this twice drafts nothing the second time.
    """
    lock_for_transaction("purchasing.draft_for_shortages")  # two clicks must not draft twice
    by_supplier: dict[int, list[dict]] = defaultdict(list)
    unsourced = []
    for material in material_requirements():
        if material.preferred_supplier_id is None:
            unsourced.append(material)
            continue
        by_supplier[material.preferred_supplier_id].append(
            {
                "material": material,
                "quantity": order_quantity(material.shortage),
                "unit_price": material.preferred_unit_price,
            }
        )
    suppliers = Supplier.objects.in_bulk(list(by_supplier))
    drafts = [
        purchase_order_create(supplier=suppliers[supplier_id], warehouse=warehouse, lines=lines)
        for supplier_id, lines in sorted(by_supplier.items())
    ]
    return drafts, unsourced
