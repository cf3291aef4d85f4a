from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Abs, Lower
from django.db.models.lookups import GreaterThan

from apps.buyers.models import BUYER_SEARCH
from apps.core.audit import AuditedHistory
from apps.core.grids import spelled
from apps.core.models import TimeStampedModel
from apps.core.search import Search

from .choices import OPEN_STATUSES, Category, SampleStatus, SampleType
from .grading import graded_values, parse_steps
from .querysets import SampleQuerySet, StyleQuerySet, TechPackQuerySet

# Ranked ?search= and admin search (apps.core.search). A style: its code, its name, its buyer.
STYLE_SEARCH = Search(codes=("code",), names=("name",), related=(("buyer", BUYER_SEARCH),))
# A sample: its number, or its style as above.
SAMPLE_SEARCH = Search(codes=("number",), related=(("style", STYLE_SEARCH),))


class SizeRange(TimeStampedModel):
    """The sizes a style is made in, smallest first: XS-XXL, 28-40, 2Y-14Y."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    sizes = ArrayField(models.CharField(max_length=20), help_text="Smallest first, e.g. XS, S, M, L, XL, XXL.")

    history = AuditedHistory()

    class Meta:
        ordering = ["code", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(sizes__len__gt=0), name="size_range_not_empty"),
        ]

    def __str__(self):
        return f"{self.code} ({', '.join(self.sizes)})"


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
    # Orders can only be taken in its colourways and in the sizes of this range.
    size_range = models.ForeignKey(SizeRange, on_delete=models.PROTECT, null=True, blank=True, related_name="styles")
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

    @property
    def sizes(self) -> list[str]:
        """The sizes of its range, smallest first; none without a range."""
        return list(self.size_range.sizes) if self.size_range_id else []


class Colourway(models.Model):
    """A colour a style is offered in; order lines name it."""

    style = models.ForeignKey(Style, on_delete=models.CASCADE, related_name="colourways")
    name = models.CharField(max_length=50, help_text="As order lines name it, e.g. Navy.")
    code = models.CharField(max_length=30, blank=True, help_text="The buyer's colour code, e.g. 19-4052 TCX.")

    history = AuditedHistory()

    class Meta:
        ordering = ["style_id", "id"]
        constraints = [
            models.UniqueConstraint("style", Lower("name"), name="colourway_name_unique"),
        ]

    def __str__(self):
        return self.name


class StyleMaterial(models.Model):
    """A bill-of-materials line: how much of a material one piece of the style consumes.

    Graded: `size_consumption` overrides the consumption for the sizes that differ
    ({"XL": "1.4500"}); a line with a `colour` is needed only by that colourway (a navy button
    on the navy shirt), a line without one by every colourway.
    """

    style = models.ForeignKey(Style, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey("inventory.Material", on_delete=models.PROTECT, related_name="+")
    colour = models.CharField(max_length=50, blank=True, help_text="Only for this colourway; blank for all.")
    consumption_per_piece = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text="In the material's unit.",
    )
    size_consumption = models.JSONField(
        default=dict, blank=True, help_text='Per size, where it differs from the above: {"XL": "1.4500"}.'
    )
    wastage_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["style_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["style", "material", "colour"], name="style_material_unique"),
            models.CheckConstraint(condition=models.Q(consumption_per_piece__gt=0), name="bom_consumption_positive"),
            models.CheckConstraint(
                condition=models.Q(wastage_percent__gte=0, wastage_percent__lte=100), name="bom_wastage_range"
            ),
        ]
        indexes = [models.Index(fields=["material"], name="bom_material_idx")]

    def __str__(self):
        return f"{self.style_id}: {self.consumption_per_piece} of {self.material_id}"


class TechPack(TimeStampedModel):
    """One version of a style's technical specification. Each buyer revision is a new version;
    only the newest may change, the older ones are kept as they were."""

    style = models.ForeignKey(Style, on_delete=models.PROTECT, related_name="tech_packs")
    version = models.PositiveIntegerField(editable=False)
    # The style's range when the version was made: the chart is graded over these sizes, so a later
    # change to the range never changes a version samples were made to.
    sizes = ArrayField(models.CharField(max_length=20), default=list, editable=False)
    base_size = models.CharField(max_length=20, help_text="The size the measurement chart is specified in.")
    revision_note = models.TextField(blank=True, help_text="What the buyer changed in this version.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    objects = TechPackQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["style_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["style", "version"], name="tech_pack_version_unique"),
        ]

    def __str__(self):
        return f"{self.style_id} v{self.version}"

    def clean(self):
        """The base size is one of its sizes, stored as they spell it."""
        base_size = spelled(self.base_size, self.sizes)
        if base_size is None:
            raise ValidationError({"base_size": f"{self.base_size} is not one of the sizes {', '.join(self.sizes)}."})
        self.base_size = base_size


class MeasurementPoint(models.Model):
    """A point of measure on a tech pack's chart: its value in the base size, the tolerance either
    way, and the grading step of each other size from its neighbour nearer the base size."""

    tech_pack = models.ForeignKey(TechPack, on_delete=models.CASCADE, related_name="points")
    code = models.CharField(max_length=10, help_text="e.g. A, B1.")
    description = models.CharField(max_length=200, help_text="e.g. Chest width, 2 cm below armhole.")
    base_value = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    tolerance = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(0)], help_text="Plus or minus, in cm."
    )
    increments = models.JSONField(
        default=dict,
        blank=True,
        help_text='Grading per size from the next size nearer the base: {"L": "2.00", "S": "2.00"}.',
    )
    position = models.PositiveSmallIntegerField(default=0)

    history = AuditedHistory()

    class Meta:
        ordering = ["tech_pack_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tech_pack", "code"], name="measurement_point_code_unique"),
            models.CheckConstraint(condition=models.Q(tolerance__gte=0), name="measurement_tolerance_not_negative"),
        ]

    def __str__(self):
        return f"{self.code} {self.description}"

    def clean(self):
        """Increments only for the tech pack's sizes other than its base, stored as "2.00"; no size graded below 0."""
        pack = self.tech_pack
        try:
            steps = parse_steps(self.increments, sizes=pack.sizes, base_size=pack.base_size)
        except ValidationError as error:
            raise ValidationError({"increments": error.messages}) from None
        self.increments = {size: str(step) for size, step in steps.items()}
        if self.base_value is not None and pack.base_size in pack.sizes:
            graded = graded_values(sizes=pack.sizes, base_size=pack.base_size, base_value=self.base_value, steps=steps)
            negative = [size for size, value in graded.items() if value < 0]
            if negative:
                raise ValidationError({"increments": f"These grade {self.code} below 0: {', '.join(negative)}."})


class Sample(TimeStampedModel):
    """A sample garment made for a buyer's approval, moving requested -> ... -> approved | rejected."""

    number = models.CharField(max_length=20, unique=True, editable=False)
    style = models.ForeignKey(Style, on_delete=models.PROTECT, related_name="samples")
    # The style's buyer, kept here so the busiest list (a buyer's samples, newest first) is one index scan.
    buyer = models.ForeignKey("buyers.Buyer", on_delete=models.PROTECT, related_name="samples", editable=False)
    type = models.CharField(max_length=20, choices=SampleType.choices)
    status = models.CharField(max_length=20, choices=SampleStatus.choices, default=SampleStatus.REQUESTED)
    due_date = models.DateField(null=True, blank=True)
    tech_pack = models.ForeignKey(
        TechPack,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="samples",
        help_text="The tech-pack version the sample was made to.",
    )
    size = models.CharField(max_length=20, blank=True, help_text="The size made; a fit sample is measured in it.")
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

    def clean(self):
        """The tech pack must be a version of the sample's style, the size one of the tech pack's sizes (of the
        style's range without one), stored as they spell it."""
        if not self.style_id:
            return  # the form reports the missing style
        errors = {}
        if self.tech_pack_id and self.tech_pack.style_id != self.style_id:
            errors["tech_pack"] = f"Not a tech pack of {self.style.code}: choose one of its versions."
        if self.size:
            if self.tech_pack_id:  # made to a version: its sizes, kept as they were when it was made
                sizes, of = self.tech_pack.sizes, f"{self.style.code} v{self.tech_pack.version}"
            else:
                sizes, of = self.style.sizes, self.style.code
            size = spelled(self.size, sizes)
            if size is None:
                errors["size"] = f"{self.size} is not a size of {of} ({', '.join(sizes) or 'no size range'})."
            else:
                self.size = size
        if errors:
            raise ValidationError(errors)


class SampleMeasurement(models.Model):
    """A point measured on a sample, with the specification it was checked against when recorded
    (the tech pack's value for the sample's size, and its tolerance)."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="measurements")
    point = models.ForeignKey(MeasurementPoint, on_delete=models.PROTECT, related_name="+")
    measured = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    spec = models.DecimalField(max_digits=8, decimal_places=2, editable=False)
    tolerance = models.DecimalField(max_digits=6, decimal_places=2, editable=False)
    out_of_tolerance = models.GeneratedField(
        expression=GreaterThan(Abs(models.F("measured") - models.F("spec")), models.F("tolerance")),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    history = AuditedHistory(excluded_fields=["out_of_tolerance"])

    class Meta:
        ordering = ["sample_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "point"], name="sample_measurement_unique"),
        ]

    def __str__(self):
        return f"{self.sample_id} {self.point_id}: {self.measured}"
