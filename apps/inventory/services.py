"""Stock postings. Every change of on-hand goes through _post(), which locks the level row,
refuses to go below zero and appends the ledger line in the same transaction."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from apps.core.services import create_validated, update_validated

from .choices import MovementKind
from .models import Material, StockLevel, StockMovement, Warehouse


def _require_positive(quantity: Decimal) -> None:
    if quantity <= 0:
        raise ValidationError({"quantity": "Must be greater than zero."})


def _lock_levels(material: Material, warehouses: list[Warehouse]) -> dict[int, StockLevel]:
    """Create missing level rows, then lock them in id order so concurrent writers cannot deadlock."""
    StockLevel.objects.bulk_create(
        [StockLevel(material=material, warehouse=warehouse) for warehouse in warehouses], ignore_conflicts=True
    )
    levels = StockLevel.objects.select_for_update().filter(material=material, warehouse__in=warehouses).order_by("id")
    return {level.warehouse_id: level for level in levels}


def _post(
    level: StockLevel,
    *,
    kind: str,
    quantity: Decimal,
    reference_type: str = "",
    reference_id: int | None = None,
    note: str = "",
    user=None,
) -> StockMovement:
    """Apply a signed quantity to a locked level and append the ledger line."""
    balance = level.on_hand + quantity
    if balance < 0:
        raise ValidationError(
            {"quantity": f"Only {level.on_hand} on hand in this warehouse; cannot take {-quantity}."},
            code="insufficient_stock",
        )
    StockLevel.objects.filter(pk=level.pk).update(on_hand=F("on_hand") + quantity)
    level.on_hand = balance
    return StockMovement.objects.create(
        material_id=level.material_id,
        warehouse_id=level.warehouse_id,
        kind=kind,
        quantity=quantity,
        balance_after=balance,
        reference_type=reference_type,
        reference_id=reference_id,
        note=note,
        created_by=user if user and user.is_authenticated else None,
    )


@transaction.atomic
def stock_receive(
    *,
    material: Material,
    warehouse: Warehouse,
    quantity: Decimal,
    reference_type="",
    reference_id=None,
    note="",
    user=None,
) -> StockMovement:
    """Goods in: raise on-hand by quantity."""
    _require_positive(quantity)
    level = _lock_levels(material, [warehouse])[warehouse.pk]
    return _post(
        level,
        kind=MovementKind.RECEIPT,
        quantity=quantity,
        reference_type=reference_type,
        reference_id=reference_id,
        note=note,
        user=user,
    )


@transaction.atomic
def stock_issue(
    *,
    material: Material,
    warehouse: Warehouse,
    quantity: Decimal,
    reference_type="",
    reference_id=None,
    note="",
    user=None,
) -> StockMovement:
    """Goods out (to cutting, sewing, a sample room): lower on-hand; refused if not enough."""
    _require_positive(quantity)
    level = _lock_levels(material, [warehouse])[warehouse.pk]
    return _post(
        level,
        kind=MovementKind.ISSUE,
        quantity=-quantity,
        reference_type=reference_type,
        reference_id=reference_id,
        note=note,
        user=user,
    )


@transaction.atomic
def stock_adjust(*, material: Material, warehouse: Warehouse, quantity: Decimal, note: str, user=None) -> StockMovement:
    """A stock-count correction, up or down; the reason is required."""
    if quantity == 0:
        raise ValidationError({"quantity": "An adjustment must change the quantity."})
    if not note.strip():
        raise ValidationError({"note": "Say why stock is adjusted."})
    level = _lock_levels(material, [warehouse])[warehouse.pk]
    return _post(level, kind=MovementKind.ADJUSTMENT, quantity=quantity, note=note, user=user)


@transaction.atomic
def stock_transfer(
    *, material: Material, from_warehouse: Warehouse, to_warehouse: Warehouse, quantity: Decimal, note="", user=None
) -> tuple[StockMovement, StockMovement]:
    """Move stock between warehouses: an outgoing and an incoming ledger line, linked."""
    _require_positive(quantity)
    if from_warehouse.pk == to_warehouse.pk:
        raise ValidationError({"to_warehouse": "Choose a different warehouse to transfer to."})
    levels = _lock_levels(material, [from_warehouse, to_warehouse])
    outgoing = _post(
        levels[from_warehouse.pk],
        kind=MovementKind.TRANSFER,
        quantity=-quantity,
        note=note or f"to {to_warehouse.code}",
        user=user,
    )
    incoming = _post(
        levels[to_warehouse.pk],
        kind=MovementKind.TRANSFER,
        quantity=quantity,
        reference_type="stock_movement",
        reference_id=outgoing.pk,
        note=note or f"from {from_warehouse.code}",
        user=user,
    )
    return outgoing, incoming


def material_create(**fields) -> Material:
    """Create a material after full validation."""
    return create_validated(Material, **fields)


def material_update(*, material: Material, data: dict) -> Material:
    """Change a material's details; its code is its natural key and never changes."""
    return update_validated(material, data)
