"""Deterministic sample styles with bills of materials, and samples (see `manage.py generate_data`)."""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.buyers.models import Buyer
from apps.core import bulk
from apps.inventory.choices import MaterialKind
from apps.inventory.models import Material

from . import services
from .choices import SAMPLE_WORKFLOW, Category, SampleStatus, SampleType
from .models import Sample, Style, StyleMaterial

# Styles, samples; "tiny" runs the bulk (COPY) path for tests.
COUNTS = {"small": (30, 60), "tiny": (20, 50), "medium": (2_500, 10_000), "large": (50_000, 200_000)}
SEASONS = ["SS26", "AW26", "SS27", "AW27"]
# Where a sample's workflow is heading (cumulative shares); samples too young to have got there stop earlier.
SAMPLE_TARGETS = [(0.10, 0), (0.25, 1), (0.35, 2), (0.80, 3), (1.0, 4)]
SAMPLE_COLUMNS = [
    "number",
    "style_id",
    "buyer_id",
    "type",
    "status",
    "due_date",
    "submitted_at",
    "approved_at",
    "rejected_at",
    "comments",
    "created_at",
    "updated_at",
]


def generate(*, scale: str, seed: int) -> int:
    """Styles ST00001.. with a fabric and two trims each; samples at assorted workflow steps (first run only)."""
    rng = random.Random(seed)
    style_count, sample_count = COUNTS[scale]
    buyers = list(Buyer.objects.order_by("code").values_list("pk", flat=True))
    fabrics = list(Material.objects.filter(kind=MaterialKind.FABRIC).values_list("pk", flat=True))
    trims = list(Material.objects.exclude(kind=MaterialKind.FABRIC).values_list("pk", flat=True))
    if not (buyers and fabrics and trims):
        return 0
    if scale != "small":
        return _generate_bulk(rng, style_count, sample_count, buyers=buyers, fabrics=fabrics, trims=trims)
    styles = [Style(**_style(rng, number, buyers)) for number in range(1, style_count + 1)]
    before = Style.objects.count()
    Style.objects.bulk_create(styles, ignore_conflicts=True)
    created = Style.objects.count() - before
    if not StyleMaterial.objects.exists():
        lines = [
            StyleMaterial(style_id=style_id, **line)
            for style_id in Style.objects.values_list("pk", flat=True)
            for line in _bill_of_materials(rng, fabrics, trims)
        ]
        created += len(StyleMaterial.objects.bulk_create(lines))
    if not Sample.objects.exists():
        styles = list(Style.objects.order_by("code"))
        for _ in range(sample_count):
            sample = services.sample_request(
                style=rng.choice(styles),
                type=rng.choice(SampleType.values),
                due_date=timezone.localdate() + timedelta(days=rng.randint(-20, 60)),
            )
            for _step in range(rng.randint(0, 3)):
                allowed = sorted(SAMPLE_WORKFLOW.allowed(sample.status))
                if allowed:
                    sample = services.sample_transition(sample=sample, status=rng.choice(allowed))
            created += 1
    return created


def _style(rng: random.Random, number: int, buyers: list[int], *, season: str = "") -> dict:
    return {
        "code": f"ST{number:05d}",
        "name": f"{rng.choice(['Oxford', 'Poplin', 'Denim', 'Jersey', 'Linen'])} "
        f"{rng.choice(['shirt', 'dress', 'trouser', 'tee', 'jacket'])} {number}",
        "buyer_id": rng.choice(buyers),
        "season": season or rng.choice(SEASONS),
        "category": rng.choice(Category.values),
        "target_price": Decimal(rng.randint(400, 4_000)) / 100,
        "is_active": True,
    }


def _bill_of_materials(rng: random.Random, fabrics: list[int], trims: list[int]) -> list[dict]:
    """A fabric and two trims."""
    fabric = {
        "material_id": rng.choice(fabrics),
        "consumption_per_piece": Decimal(rng.randint(80, 250)) / 100,
        "wastage_percent": Decimal(rng.choice([3, 5, 8])),
    }
    return [fabric] + [
        {"material_id": trim, "consumption_per_piece": Decimal(rng.randint(1, 12)), "wastage_percent": Decimal(2)}
        for trim in rng.sample(trims, 2)
    ]


def _season(at: int) -> str:
    """The season a style designed at this time is for: spring/summer next year, or autumn/winter this year."""
    day = datetime.fromtimestamp(at, UTC)
    return f"AW{day.year % 100:02d}" if day.month <= 6 else f"SS{(day.year + 1) % 100:02d}"


def _generate_bulk(rng: random.Random, style_count: int, sample_count: int, **choices: list[int]) -> int:
    with bulk.Load() as load:
        # Styles are designed through the history (up to a month before its end), in code order.
        times = list(bulk.spread(rng, style_count, start=bulk.START - 90 * bulk.DAY, end=bulk.END - 30 * bulk.DAY))
        styles = [
            _style(rng, number, choices["buyers"], season=_season(at)) for number, at in enumerate(times, start=1)
        ]
        load.copy_records(Style, styles, times)
        if not StyleMaterial.objects.exists():
            style_ids = list(Style.objects.order_by("code").values_list("pk", flat=True))
            rows = (
                (style_id, line["material_id"], line["consumption_per_piece"], line["wastage_percent"])
                for style_id in style_ids
                for line in _bill_of_materials(rng, choices["fabrics"], choices["trims"])
            )
            columns = ["style_id", "material_id", "consumption_per_piece", "wastage_percent"]
            load.copy(StyleMaterial, columns, rows, total=3 * len(style_ids))
        if not Sample.objects.exists():
            styles = list(Style.objects.order_by("created_at", "code").values_list("pk", "buyer_id", "created_at"))
            arrivals = bulk.Arrivals(
                [(pk, buyer) for pk, buyer, _ in styles], [int(at.timestamp()) for *_, at in styles]
            )
            numbers = bulk.take_from_sequence("samples_sample_number_seq", sample_count)
            rows = _samples(rng, arrivals, numbers)
            load.copy(Sample, SAMPLE_COLUMNS, rows, total=sample_count)
    return load.created


def _samples(rng: random.Random, arrivals: bulk.Arrivals, numbers) -> Iterator[tuple]:
    """Sample rows, requested through the history; each heads for a status and stops where its age ends it."""
    random, text = rng.random, bulk.timestamp_text
    types = SampleType.values
    for number, at in zip(numbers, bulk.spread(rng, len(numbers)), strict=True):
        style, buyer = arrivals.pick(rng, at, recency=4)  # samples follow soon after a style is designed
        roll = random()
        target = next(step for share, step in SAMPLE_TARGETS if roll < share)
        status, updated, stamps = SampleStatus.REQUESTED, at, [None, None, None]
        started = at + int((1 + random() * 4) * bulk.DAY)
        submitted = started + int((3 + random() * 17) * bulk.DAY)
        decided = submitted + int((1 + random() * 9) * bulk.DAY)
        if target >= 1 and started <= bulk.END:
            status, updated = SampleStatus.IN_PROGRESS, started
            if target >= 2 and submitted <= bulk.END:
                status, updated, stamps[0] = SampleStatus.SUBMITTED, submitted, text(submitted)
                if target >= 3 and decided <= bulk.END:
                    status, updated = (
                        (SampleStatus.APPROVED, decided) if target == 3 else (SampleStatus.REJECTED, decided)
                    )
                    stamps[1 if target == 3 else 2] = text(decided)
        yield (
            f"S{number:07d}",
            style,
            buyer,
            types[int(random() * len(types))],
            status,
            bulk.day_text(at // bulk.DAY + 7 + int(random() * 38)),
            *stamps,
            "",
            text(at),
            text(updated),
        )
