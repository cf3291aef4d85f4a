from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.buyers.models import BUYER_SEARCH
from apps.core.audit import AuditedHistory
from apps.core.models import TimeStampedModel
from apps.core.search import Search

from .choices import OPEN_STATUSES, Category, SampleStatus, SampleType
from .querysets import SampleQuerySet, StyleQuerySet

# Ranked ?search= and admin search (apps.core.search). A style: its code, its name, its buyer.
STYLE_SEARCH = Search(codes=("code",), names=("name",), related=(("buyer", BUYER_SEARCH),))
# A sample: its number, or its style as above.
SAMPLE_SEARCH = Search(codes=("number",), related=(("style", STYLE_SEARCH),))


class Style(TimeStampedModel):
    """A garment design for a buyer and season, with its bill of materials."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    buyer = models.ForeignKey("buyers.Buyer", on_delete=models.PROTECT, related_name="styles")
    season = models.CharField(max_length=10, help_text="e.g. SS27, AW26")
    category = models.CharField(max_length=20, choices=Category.choices)
    target_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(default=True)

    objects = StyleQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["code", "id"]
        indexes = [
            models.Index(fields=["buyer", "season"], name="style_buyer_season_idx"),
            models.Index(fields=["season", "code"], name="style_season_code_idx"),
            *STYLE_SEARCH.indexes("style"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(target_price__gte=0), name="style_target_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.code} - {self.name}"


class StyleMaterial(models.Model):
    """A bill-of-materials line: how much of a material one piece of the style consumes."""

    style = models.ForeignKey(Style, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey("inventory.Material", on_delete=models.PROTECT, related_name="+")
    consumption_per_piece = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text="In the material's unit.",
    )
    wastage_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["style_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["style", "material"], name="style_material_unique"),
            models.CheckConstraint(condition=models.Q(consumption_per_piece__gt=0), name="bom_consumption_positive"),
            models.CheckConstraint(
                condition=models.Q(wastage_percent__gte=0, wastage_percent__lte=100), name="bom_wastage_range"
            ),
        ]
        indexes = [models.Index(fields=["material"], name="bom_material_idx")]

    def __str__(self):
        return f"{self.style_id}: {self.consumption_per_piece} of {self.material_id}"


class Sample(TimeStampedModel):
    """A sample garment made for a buyer's approval, moving requested -> ... -> approved | rejected."""

    number = models.CharField(max_length=20, unique=True, editable=False)
    style = models.ForeignKey(Style, on_delete=models.PROTECT, related_name="samples")
    # The style's buyer, kept here so the busiest list (a buyer's samples, newest first) is one index scan.
    buyer = models.ForeignKey("buyers.Buyer", on_delete=models.PROTECT, related_name="samples", editable=False)
    type = models.CharField(max_length=20, choices=SampleType.choices)
    status = models.CharField(max_length=20, choices=SampleStatus.choices, default=SampleStatus.REQUESTED)
    due_date = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    rejected_at = models.DateTimeField(null=True, blank=True, editable=False)
    comments = models.TextField(blank=True)

    objects = SampleQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["buyer", "-created_at"], name="sample_buyer_created_idx"),
            models.Index(fields=["style", "-created_at"], name="sample_style_created_idx"),
            models.Index(fields=["status", "due_date"], name="sample_status_due_idx"),
            # The oldest overdue samples (dashboard): open ones only, in due order.
            models.Index(
                fields=["due_date", "id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="sample_open_due_idx",
            ),
            models.Index(fields=["-created_at", "-id"], name="sample_created_idx"),
            *SAMPLE_SEARCH.indexes("sample"),
        ]

    def __str__(self):
        return self.number
