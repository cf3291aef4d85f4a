"""Stock postings. Every change of on-hand goes through _post(), which locks the level row,
refuses to go below zero and appends the ledger line in the same transaction."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from apps.core.services import create_validated, update_validated

from .choices import MovementKind
from .models import QUANTITY, Material, StockLevel, StockMovement, Warehouse

# The largest on-hand a numeric(14, 3) column holds.
MAX_ON_HAND = Decimal(10) ** (QUANTITY["max_digits"] - QUANTITY["decimal_places"]) - Decimal("0.001")


def _require_positive(quantity: Decimal) -> None:
    if quantity <= 0:
        raise ValidationError({"quantity": "Must be greater than zero."})


def _lock_levels(material: Material, warehouses: list[Warehouse]) -> dict[int, StockLevel]:
    """Create missing level rows, then lock them in id order so concurrent writers cannot deadlock."""
    # Inserted in warehouse order too: two opposite transfers that both create their rows would
    # otherwise each wait on the other's uncommitted row in the unique index.
    StockLevel.objects.bulk_create(
        [StockLevel(material=material, warehouse=warehouse) for warehouse in sorted(warehouses, key=lambda w: w.pk)],
        ignore_conflicts=True,
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
        # The code sits on the field's error: a dict-shaped ValidationError ignores its own code.
        message = f"Only {level.on_hand} on hand in this warehouse; cannot take {-quantity}."
        raise ValidationError({"quantity": ValidationError(message, code="insufficient_stock")})
    if balance > MAX_ON_HAND:
        raise ValidationError({"quantity": f"On hand would exceed {MAX_ON_HAND}, the largest quantity stored."})
    movement = StockMovement(
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
    # Digits, decimal places and lengths are refused here, not by the database mid-posting;
    # the foreign keys are the locked level's, so they are not looked up again.
    movement.full_clean(
        exclude=["material", "warehouse", "created_by"], validate_unique=False, validate_constraints=False
    )
    StockLevel.objects.filter(pk=level.pk).update(on_hand=F("on_hand") + quantity)
    level.on_hand = balance
    movement.save()
    return movement


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
        reference_id=outgoing.id,
        note=note or f"from {from_warehouse.code}",
        user=user,
    )
    return outgoing, incoming


@transaction.atomic
def stock_post(
    *,
    kind: str,
    material: Material,
    warehouse: Warehouse,
    quantity: Decimal,
    to_warehouse: Warehouse | None = None,
    note: str = "",
    user=None,
) -> list[StockMovement]:
    """Post a movement of any kind, as the API and admin forms take it; a transfer gives two lines, out then in."""
    if kind == MovementKind.TRANSFER:
        if to_warehouse is None:
            raise ValidationError({"to_warehouse": "A transfer needs a warehouse to transfer to."})
        outgoing, incoming = stock_transfer(
            material=material,
            from_warehouse=warehouse,
            to_warehouse=to_warehouse,
            quantity=quantity,
            note=note,
            user=user,
        )
        return [outgoing, incoming]
    if to_warehouse is not None:
        raise ValidationError({"to_warehouse": "Only a transfer goes to another warehouse."})
    if kind == MovementKind.RECEIPT:
        return [stock_receive(material=material, warehouse=warehouse, quantity=quantity, note=note, user=user)]
    if kind == MovementKind.ISSUE:
        return [stock_issue(material=material, warehouse=warehouse, quantity=quantity, note=note, user=user)]
    if kind == MovementKind.ADJUSTMENT:
        return [stock_adjust(material=material, warehouse=warehouse, quantity=quantity, note=note, user=user)]
    raise ValidationError({"kind": f"Unknown movement kind '{kind}'."})


def warehouse_create(**fields) -> Warehouse:
    """Create a warehouse after full validation."""
    return create_validated(Warehouse, **fields)


def warehouse_update(*, warehouse: Warehouse, data: dict) -> Warehouse:
    """Change a warehouse's details; its code is its natural key and never changes."""
    return update_validated(warehouse, data)


def material_create(**fields) -> Material:
    """Create a material after full validation."""
    return create_validated(Material, **fields)


def material_update(*, material: Material, data: dict) -> Material:
    """Change a material's details; its code is its natural key and never changes."""
    return update_validated(material, data)
