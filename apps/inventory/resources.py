"""Materials (and opening stock) from a spreadsheet: manage.py import_data materials FILE."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from simple_history.models import HistoricalRecords

from apps.core import cache
from apps.core.imports.base import BatchResult, Column, Existing, Record, Resource, RowError, register
from apps.core.imports.model_resource import ModelResource
from apps.core.imports.validation import by_natural_key, django_errors, row_errors, validate_rows

from .api.filters import MaterialFilterSet, StockLevelFilterSet
from .api.serializers import MaterialSerializer, StockMovementPostInputSerializer
from .choices import MaterialKind, MovementKind, Unit
from .models import Material, StockLevel, StockMovement, Warehouse
from .services import MAX_ON_HAND

# --- Materials ---------------------------------------------------------------------------


@register
class MaterialResource(ModelResource):
    name = "materials"
    title = "Materials"
    model = Material
    serializer_class = MaterialSerializer
    filterset_class = MaterialFilterSet
    lookup = "code"
    columns = (
        Column("code", required=True, aliases=("material code", "material", "item code"), example="FAB-TWILL-NVY"),
        Column("name", required=True, aliases=("material name", "description"), example="Cotton twill, navy"),
        Column("kind", required=True, aliases=("type",), example=MaterialKind.FABRIC.value,
               help=f"One of {', '.join(MaterialKind.values)}."),
        Column("unit", required=True, aliases=("uom", "unit of measure"), example=Unit.METRE.value,
               help=f"One of {', '.join(Unit.values)}."),
        Column("standard_cost", aliases=("cost", "unit cost"), example="3.2500", help="Defaults to 0."),
        Column("reorder_level", aliases=("reorder", "reorder point", "min stock"), example="500",
               help="Defaults to 0."),
        Column("is_active", aliases=("active",), example="true", help="true or false; defaults to true."),
    )  # fmt: skip


# --- Opening stock -----------------------------------------------------------------------

# The ledger's mark on opening-stock postings: what makes a second import of the same file a no-op.
OPENING = "opening_stock"


class OpeningStockInputSerializer(StockMovementPostInputSerializer):
    """The API's posting rules for a receipt (material, warehouse, quantity digits, note length)."""

    kind = None
    to_warehouse = None


@register
class OpeningStockResource(Resource):
    """Stock on hand when the ledger starts: one row per (warehouse, material), posted as a receipt.

    Each opening receipt carries reference_type "opening_stock", so a pair's opening quantity is
    the sum of its opening postings, and importing the same file again finds it and changes
    nothing. A row whose pair already has an opening quantity is:
      - equal: unchanged;
      - different: with --update, corrected by an adjustment of the difference (also marked as
        opening stock: the ledger is append-only, so the first receipt is never rewritten);
        by default an error; with --skip-existing, skipped.
    A pair that already has stock from other postings (no opening ones) is unchanged when its
    on-hand equals the file's quantity (so an export imports back unchanged) and an error
    otherwise, whatever the mode: opening stock starts a ledger, a count correction is a stock
    adjustment with its reason.

    Writes bypass stock_receive (one INSERT per batch, not a locked posting per row) and apply its
    rules: the API's posting serializer, a quantity above zero, on-hand within MAX_ON_HAND, the
    movement's full_clean(), and the level rows locked (in id order) before they change.
    """

    name = "opening_stock"
    title = "Opening stock (on hand per warehouse and material)"
    key = ("warehouse_code", "material_code")
    filterset_class = StockLevelFilterSet
    columns = (
        Column("warehouse_code", required=True, aliases=("warehouse", "store"), example="W02"),
        Column("material_code", required=True, aliases=("material", "item code"), example="M00004"),
        Column("quantity", required=True, aliases=("qty", "on hand", "opening quantity"), example="1250.5",
               help="In the material's unit; greater than zero."),
        Column("note", aliases=("remarks", "comment"), example="Count of 31 Dec", help="Defaults to 'Opening stock'."),
    )  # fmt: skip

    def load_batch(self, records: list[Record], *, existing: Existing) -> BatchResult:
        """Resolve warehouses and materials, lock the batch's level rows and sum its opening postings
        (one query each); then one INSERT of new levels, one of movements and one UPDATE of levels."""
        result = BatchResult()
        rows = [record.rows[0] for record in records]
        warehouses = by_natural_key(Warehouse, "code", {values["warehouse_code"] for _, values in rows})
        materials = by_natural_key(Material, "code", {values["material_code"] for _, values in rows})
        checked = validate_rows(
            OpeningStockInputSerializer,
            [
                {"warehouse": v["warehouse_code"], "material": v["material_code"], "quantity": v["quantity"],
                 "note": v.get("note", "")}
                for _, v in rows
            ],
            resolved={"warehouse": warehouses, "material": materials},
        )  # fmt: skip
        valid = [data for status, data in checked if status == "ok"]
        levels, openings = {}, {}
        if valid:
            # A superset of the batch's pairs (few warehouses, so barely bigger), locked in id order as
            # the stock services lock them.
            locked = StockLevel.objects.select_for_update().filter(
                warehouse__in={data["warehouse"].pk for data in valid},
                material__in={data["material"].pk for data in valid},
            )
            levels = {(level.warehouse_id, level.material_id): level for level in locked.order_by("id")}
            if levels:
                opening_sums = (
                    StockMovement.objects.filter(
                        reference_type=OPENING,
                        warehouse__in={w for w, _ in levels},
                        material__in={m for _, m in levels},
                    )
                    .order_by()
                    .values_list("warehouse_id", "material_id")
                    .annotate(total=Sum("quantity"))
                )
                openings = {(w, m): total for w, m, total in opening_sums}

        new_levels, changed_levels, movements = [], [], []
        for index, ((number, values), (status, data)) in enumerate(zip(rows, checked, strict=True)):
            if status == "error":
                result.errors += row_errors(number, data, values, columns=COLUMN_OF)
                continue
            warehouse, material, quantity = data["warehouse"], data["material"], data["quantity"]
            note = data.get("note") or "Opening stock"
            problem = _positive(quantity)
            if problem:
                result.errors.append(RowError(number, "quantity", str(values["quantity"]), problem))
                continue
            level = levels.get((warehouse.pk, material.pk))
            if level is None:
                level = StockLevel(warehouse=warehouse, material=material, on_hand=0)
                movement = _movement(level, MovementKind.RECEIPT, quantity, note)
                errors = _movement_errors(movement)
                if errors:
                    result.errors += row_errors(number, errors, values, columns=COLUMN_OF)
                    continue
                level.on_hand = movement.balance_after
                new_levels.append(level)
                movements.append(movement)
                result.outcomes[index] = "created"
                continue
            opening = openings.get((warehouse.pk, material.pk))
            recorded = level.on_hand if opening is None else opening
            if recorded == quantity:
                result.outcomes[index] = "unchanged"
                continue
            if existing == "skip":
                result.outcomes[index] = "skipped"
                continue
            where = f"{material.code} in {warehouse.code}"
            if opening is None:
                message = (
                    f"{where} already has stock from other postings ({level.on_hand} on hand): opening stock starts "
                    "a ledger; correct a count with a stock adjustment."
                )
            elif existing == "compare":
                message = (
                    f"The opening stock of {where} was loaded as {opening}: use --update to post the difference "
                    "as an adjustment, or --skip-existing to leave it."
                )
            else:
                message = ""
            if message:
                result.errors.append(RowError(number, "quantity", str(values["quantity"]), message))
                continue
            movement = _movement(
                level, MovementKind.ADJUSTMENT, quantity - opening, f"Opening stock corrected from {opening}: {note}"
            )
            errors = _movement_errors(movement)
            if errors:
                result.errors += row_errors(number, errors, values, columns=COLUMN_OF)
                continue
            level.on_hand = movement.balance_after
            changed_levels.append(level)
            movements.append(movement)
            result.outcomes[index] = "updated"

        if new_levels:
            StockLevel.objects.bulk_create(new_levels)
        if changed_levels:
            now = timezone.now()
            for level in changed_levels:
                level.updated_at = now
            StockLevel.objects.bulk_update(changed_levels, ["on_hand", "updated_at"])
        if movements:
            StockMovement.objects.bulk_create(movements)  # the ledger is its own audit trail
            cache.bump(StockLevel, StockMovement)  # bulk writes send no signals
        return result

    def export_queryset(self, params: dict):
        """Current stock levels above zero as opening rows, filtered as the API's stock-level list."""
        levels = self.filtered(params, StockLevel.objects.filter(on_hand__gt=0))
        return levels.select_related("warehouse", "material").order_by("warehouse_id", "material_id")

    def export_rows(self, queryset):
        for level in queryset.iterator(chunk_size=2000):
            yield [level.warehouse.code, level.material.code, level.on_hand, ""]


COLUMN_OF = {"warehouse": "warehouse_code", "material": "material_code"}


def _positive(quantity: Decimal) -> str:
    """stock_receive's rule (a receipt of nothing or less is refused)."""
    return "" if quantity > 0 else "Must be greater than zero."


def _movement(level: StockLevel, kind: str, quantity: Decimal, note: str) -> StockMovement:
    """The ledger line _post() would append to this level (not applied to it yet)."""
    return StockMovement(
        warehouse_id=level.warehouse_id,
        material_id=level.material_id,
        kind=kind,
        quantity=quantity,
        balance_after=level.on_hand + quantity,
        reference_type=OPENING,
        note=note[:255],
        created_by=_acting_user(),
    )


def _acting_user():
    """Who the audit trail attributes this write to (a request's user, or acting_as() in a job), as _post() takes it."""
    user = getattr(getattr(HistoricalRecords.context, "request", None), "user", None)
    return user if user is not None and user.is_authenticated else None


def _movement_errors(movement: StockMovement) -> dict:
    """_post()'s checks: on-hand neither below zero nor above MAX_ON_HAND, then full_clean() without queries."""
    if movement.balance_after < 0:
        taken = -movement.quantity
        return {"quantity": [f"Only {movement.balance_after + taken} on hand in this warehouse; cannot take {taken}."]}
    if movement.balance_after > MAX_ON_HAND:
        return {"quantity": [f"On hand would exceed {MAX_ON_HAND}, the largest quantity stored."]}
    try:
        movement.full_clean(
            exclude=["material", "warehouse", "created_by"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        return django_errors(error)
    return {}
