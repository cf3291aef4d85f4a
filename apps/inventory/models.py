from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from apps.core.audit import AuditedHistory
from apps.core.models import TimeStampedModel
from apps.core.search import Search

from .choices import MaterialKind, MovementKind, Unit
from .querysets import MaterialQuerySet, StockLevelQuerySet, StockMovementQuerySet

QUANTITY = {"max_digits": 14, "decimal_places": 3}

# Ranked ?search= and admin search (apps.core.search): codes by prefix, names by words.
WAREHOUSE_SEARCH = Search(codes=("code",), names=("name",))
MATERIAL_SEARCH = Search(codes=("code",), names=("name",))
# Stock levels and the ledger: by their material.
BY_MATERIAL_SEARCH = Search(related=(("material", MATERIAL_SEARCH),))


class Warehouse(TimeStampedModel):
    """A store where materials are kept: a factory store room, a bonded warehouse."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["code", "id"]
        indexes = WAREHOUSE_SEARCH.indexes("warehouse")

    def __str__(self):
        return f"{self.code} - {self.name}"


class Material(TimeStampedModel):
    """Fabric, trim, accessory or packing bought in and consumed by styles."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=MaterialKind.choices)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    # The validators mirror the CHECK constraints below, so a negative value is an error on its field.
    standard_cost = models.DecimalField(max_digits=12, decimal_places=4, default=0, validators=[MinValueValidator(0)])
    reorder_level = models.DecimalField(**QUANTITY, default=0, validators=[MinValueValidator(0)])
    is_active = models.BooleanField(default=True)

    objects = MaterialQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["code", "id"]
        indexes = [
            models.Index(fields=["kind", "code"], name="material_kind_code_idx"),
            *MATERIAL_SEARCH.indexes("material"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(standard_cost__gte=0), name="material_cost_not_negative"),
            models.CheckConstraint(condition=models.Q(reorder_level__gte=0), name="material_reorder_not_negative"),
        ]

    def __str__(self):
        return f"{self.code} - {self.name}"


class StockLevel(models.Model):
    """On-hand quantity of a material in a warehouse; changed only by posting movements."""

    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = models.DecimalField(**QUANTITY, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StockLevelQuerySet.as_manager()

    class Meta:
        ordering = ["material_id", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(fields=["material", "warehouse"], name="stock_level_unique"),
            # The last line of defence: no code path can leave stock below zero.
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="stock_level_not_negative"),
        ]
        indexes = [models.Index(fields=["warehouse", "material"], name="stock_level_warehouse_idx")]

    def __str__(self):
        return f"{self.material_id}@{self.warehouse_id}: {self.on_hand}"


class MovementColumns(models.Model):
    """The columns of a stock ledger line, shared by the ledger and the admin's view of it."""

    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    quantity = models.DecimalField(**QUANTITY)
    balance_after = models.DecimalField(**QUANTITY, help_text="On hand in this warehouse after the movement.")
    reference_type = models.CharField(max_length=50, blank=True)
    reference_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.kind} {self.quantity} of {self.material_id} at {self.warehouse_id}"


# Ids come from the ledger's own sequence, as they did when id was a serial primary key.
NEXT_MOVEMENT_ID = models.Func(
    models.Value("inventory_stockmovement_id_seq"), function="nextval", output_field=models.BigIntegerField()
)


class StockMovement(MovementColumns):
    """One line of the append-only stock ledger; quantity is signed (in > 0, out < 0).

    The movements of a material in a warehouse always sum to its StockLevel.on_hand.
    `reference_type`/`reference_id` name the document behind it (a goods receipt, an order)
    without this app knowing those apps.

    The table is partitioned by month on created_at (apps.inventory.partitions), and PostgreSQL
    wants the partition key in every unique constraint, hence the key (id, created_at). The id alone
    still names a movement (the API and the admin address movements by it): one sequence draws them all.
    """

    pk = models.CompositePrimaryKey("id", "created_at")
    id = models.BigIntegerField(db_default=NEXT_MOVEMENT_ID, editable=False)
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements")
    # PROTECT: the ledger is append-only, so nothing may rewrite its rows (users are deactivated instead).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = StockMovementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["material", "created_at"], name="movement_material_created_idx"),
            models.Index(fields=["warehouse", "created_at"], name="movement_warehouse_created_idx"),
            models.Index(fields=["-created_at", "-id"], name="movement_created_idx"),
            models.Index(fields=["reference_type", "reference_id"], name="movement_reference_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(quantity=0), name="movement_quantity_not_zero"),
            models.CheckConstraint(condition=models.Q(balance_after__gte=0), name="movement_balance_not_negative"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Stock movements are append-only; post a correcting movement instead.")
        super().save(*args, **kwargs)


class LedgerEntry(MovementColumns):
    """The stock ledger as the admin reads it: a stock movement addressed by its id alone.

    Django 5.2's admin refuses models with a composite primary key. The id is unique on its own
    (one sequence), so this unmanaged model over the same table gives the admin a one-column key.
    Read-only: postings go through the stock services, and permissions are StockMovement's.
    """

    id = models.BigIntegerField(primary_key=True)
    material = models.ForeignKey(Material, on_delete=models.DO_NOTHING, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.DO_NOTHING, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )

    objects = StockMovementQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = StockMovement._meta.db_table
        ordering = ["-created_at", "-id"]
        verbose_name = "stock movement"
        default_permissions = ()
