from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from apps.buyers.models import BUYER_SEARCH, currency_code
from apps.core.audit import AuditedHistory
from apps.core.models import TimeStampedModel
from apps.core.search import Search

from .choices import OrderStatus
from .querysets import OrderLineQuerySet, OrderMilestoneQuerySet, OrderQuerySet

# Ranked ?search= and admin search (apps.core.search). An order: its number, the buyer's reference, its buyer.
ORDER_SEARCH = Search(codes=("number", "buyer_reference"), related=(("buyer", BUYER_SEARCH),))
# An order line: its order's number or its style's code.
ORDER_LINE_SEARCH = Search(related=(("order", Search(codes=("number",))), ("style", Search(codes=("code",)))))
# A T&A milestone: its order's number.
ORDER_MILESTONE_SEARCH = Search(related=(("order", Search(codes=("number",))),))


class Order(TimeStampedModel):
    """A buyer's purchase order to us (a sales order), with lines per style, colour and size."""

    number = models.CharField(max_length=20, unique=True, editable=False)
    buyer = models.ForeignKey("buyers.Buyer", on_delete=models.PROTECT, related_name="orders")
    buyer_reference = models.CharField(max_length=50, blank=True, help_text="The buyer's own PO number.")
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    order_date = models.DateField(default=timezone.localdate)
    ship_date = models.DateField()
    currency = models.CharField(max_length=3, validators=[currency_code])
    # Always the sum of the lines' amounts, kept in the same transaction as any line change.
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    notes = models.TextField(blank=True)

    objects = OrderQuerySet.as_manager()
    # The total follows from the lines, whose every change is audited.
    history = AuditedHistory(excluded_fields=["total"])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["buyer", "status"], name="order_buyer_status_idx"),
            models.Index(fields=["-created_at", "status"], name="order_created_status_idx"),
            models.Index(fields=["-created_at", "-id"], name="order_created_idx"),
            models.Index(fields=["status", "ship_date"], name="order_status_ship_idx"),
            # Date ranges (reports, the dashboard's months, admin date filters) without touching the table.
            models.Index(fields=["order_date"], include=["status", "currency", "total"], name="order_date_idx"),
            *ORDER_SEARCH.indexes("order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ship_date__gte=models.F("order_date")), name="order_ships_after_ordered"
            ),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_not_negative"),
        ]

    def __str__(self):
        return self.number

    def clean(self):
        if self.ship_date and self.order_date and self.ship_date < self.order_date:
            raise ValidationError({"ship_date": "The ship date cannot be before the order date."})


class OrderLine(models.Model):
    """One SKU of an order: a style in a colour and size, with quantity and unit price."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    style = models.ForeignKey("samples.Style", on_delete=models.PROTECT, related_name="order_lines")
    colour = models.CharField(max_length=50)
    size = models.CharField(max_length=20)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    amount = models.GeneratedField(
        expression=models.F("quantity") * models.F("unit_price"),
        output_field=models.DecimalField(max_digits=14, decimal_places=2),
        db_persist=True,
    )

    objects = OrderLineQuerySet.as_manager()
    history = AuditedHistory(excluded_fields=["amount"])  # generated: quantity x unit price

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "style", "colour", "size"], name="order_line_sku_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="order_line_price_not_negative"),
        ]
        indexes = [models.Index(fields=["style", "order"], name="order_line_style_idx")]

    def __str__(self):
        return f"{self.style_id} {self.colour}/{self.size} x {self.quantity}"


class MilestoneTemplate(models.Model):
    """A step of the time-and-action (T&A) calendar, due a number of days before an order's ship date."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    days_before_ship = models.PositiveSmallIntegerField(help_text="Planned this many days before the ship date.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Where it shows in an order's calendar.")
    is_active = models.BooleanField(default=True, help_text="Inactive steps are not planned for new orders.")

    history = AuditedHistory()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class OrderMilestone(models.Model):
    """One T&A step of an order: its planned date (following the order's ship date) and when it was done."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="milestones")
    # PROTECT: a step in use is deactivated, never deleted, so orders keep their calendars.
    template = models.ForeignKey(MilestoneTemplate, on_delete=models.PROTECT, related_name="milestones")
    # The template's offset when planned: editing a template changes new orders' plans, not running ones.
    days_before_ship = models.PositiveSmallIntegerField(editable=False)
    planned_date = models.DateField(editable=False)
    actual_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    objects = OrderMilestoneQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["order_id", "planned_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "template"], name="order_milestone_unique"),
        ]
        indexes = [
            # The open milestones by planned date: the late list (dashboard, ?late=true) is a range scan of it.
            models.Index(
                fields=["planned_date", "id"],
                condition=models.Q(actual_date__isnull=True),
                name="order_milestone_open_idx",
            ),
        ]

    def __str__(self):
        # Ids only: the audit trail's changelist prints a row per history record and must not query for each.
        return f"Order {self.order_id}, step {self.template_id}"
