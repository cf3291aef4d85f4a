from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from apps.buyers.models import country_code, currency_code
from apps.core.audit import AuditedHistory
from apps.core.models import TimeStampedModel
from apps.core.search import Search
from apps.inventory.models import MATERIAL_SEARCH, QUANTITY

from .choices import PurchaseOrderStatus
from .querysets import PurchaseOrderLineQuerySet, PurchaseOrderQuerySet, SupplierQuerySet

# Ranked ?search= and admin search (apps.core.search): codes and numbers by prefix, names by words.
SUPPLIER_SEARCH = Search(codes=("code",), names=("name",), emails=("email",))
SUPPLIER_MATERIAL_SEARCH = Search(related=(("supplier", SUPPLIER_SEARCH), ("material", MATERIAL_SEARCH)))
PURCHASE_ORDER_SEARCH = Search(codes=("number",), related=(("supplier", SUPPLIER_SEARCH),))
PURCHASE_ORDER_LINE_SEARCH = Search(
    related=(("purchase_order", Search(codes=("number",))), ("material", MATERIAL_SEARCH))
)
GOODS_RECEIPT_SEARCH = Search(codes=("delivery_note",), related=(("purchase_order", Search(codes=("number",))),))


class Supplier(TimeStampedModel):
    """A mill or trim vendor we buy materials from."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, validators=[country_code])
    currency = models.CharField(max_length=3, validators=[currency_code])
    email = models.EmailField(blank=True)
    lead_time_days = models.PositiveSmallIntegerField(default=30)
    is_active = models.BooleanField(default=True)

    objects = SupplierQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="supplier_name_idx"), *SUPPLIER_SEARCH.indexes("supplier")]

    def __str__(self):
        return f"{self.code} - {self.name}"


class SupplierMaterial(models.Model):
    """What a supplier sells us and at what price; one supplier per material is preferred."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey("inventory.Material", on_delete=models.PROTECT, related_name="+")
    unit_price = models.DecimalField(max_digits=12, decimal_places=4, validators=[MinValueValidator(0)])
    is_preferred = models.BooleanField(default=False)

    history = AuditedHistory()

    class Meta:
        ordering = ["supplier_id", "material_id"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "material"], name="supplier_material_unique"),
            models.UniqueConstraint(
                fields=["material"], condition=models.Q(is_preferred=True), name="one_preferred_supplier_per_material"
            ),
        ]
        indexes = [models.Index(fields=["material"], name="supplier_material_material_idx")]

    def __str__(self):
        return f"{self.supplier_id} sells {self.material_id} at {self.unit_price}"


class PurchaseOrder(TimeStampedModel):
    """Our order to a supplier, delivered to one warehouse."""

    number = models.CharField(max_length=20, unique=True, editable=False)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchase_orders")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=PurchaseOrderStatus.choices, default=PurchaseOrderStatus.DRAFT)
    order_date = models.DateField(default=timezone.localdate)
    expected_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, validators=[currency_code])
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    notes = models.TextField(blank=True)

    objects = PurchaseOrderQuerySet.as_manager()
    # The total follows from the lines, whose every change is audited.
    history = AuditedHistory(excluded_fields=["total"])

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("receive_purchaseorder", "Can receive goods against purchase orders")]
        indexes = [
            models.Index(fields=["supplier", "status"], name="po_supplier_status_idx"),
            models.Index(fields=["-created_at", "-id"], name="po_created_idx"),
            models.Index(fields=["status", "expected_date"], name="po_status_expected_idx"),
            *PURCHASE_ORDER_SEARCH.indexes("po"),
        ]

    def __str__(self):
        return self.number

    def clean(self):
        if self.expected_date and self.order_date and self.expected_date < self.order_date:
            raise ValidationError({"expected_date": "The expected date cannot be before the order date."})


class PurchaseOrderLine(models.Model):
    """A material ordered on a purchase order, and how much of it has arrived."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    material = models.ForeignKey("inventory.Material", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QUANTITY, validators=[MinValueValidator(Decimal("0.001"))])
    unit_price = models.DecimalField(max_digits=12, decimal_places=4, validators=[MinValueValidator(0)])
    received_quantity = models.DecimalField(**QUANTITY, default=0, editable=False)

    objects = PurchaseOrderLineQuerySet.as_manager()
    # Received quantities follow from goods receipts, themselves an append-only record with who received.
    history = AuditedHistory(excluded_fields=["received_quantity"])

    class Meta:
        ordering = ["purchase_order_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "material"], name="po_line_material_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="po_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(received_quantity__gte=0, received_quantity__lte=models.F("quantity")),
                name="po_line_received_within_ordered",
            ),
        ]
        indexes = [models.Index(fields=["material"], name="po_line_material_idx")]

    def __str__(self):
        return f"{self.purchase_order_id}: {self.quantity} of {self.material_id}"

    @property
    def outstanding(self):
        return self.quantity - self.received_quantity


class GoodsReceipt(models.Model):
    """One delivery received against a purchase order; its lines posted stock receipts."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    delivery_note = models.CharField(max_length=50, blank=True, help_text="The supplier's delivery note number.")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # The same delivery note cannot be booked twice against one order.
            models.UniqueConstraint(
                fields=["purchase_order", "delivery_note"],
                condition=~models.Q(delivery_note=""),
                name="receipt_delivery_note_unique",
            ),
        ]
        indexes = GOODS_RECEIPT_SEARCH.indexes("receipt")

    def __str__(self):
        return f"Receipt {self.pk} for {self.purchase_order_id}"


class GoodsReceiptLine(models.Model):
    """How much of one purchase-order line a delivery brought."""

    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    purchase_order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines")
    quantity = models.DecimalField(**QUANTITY)

    class Meta:
        ordering = ["receipt_id", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="receipt_line_quantity_positive")
        ]

    def __str__(self):
        return f"{self.quantity} of line {self.purchase_order_line_id}"
