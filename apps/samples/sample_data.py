"""Deterministic sample size ranges, styles with colourways and graded bills of materials, and samples
(see `manage.py generate_data`)."""

import json
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
from .models import Colourway, Sample, SizeRange, Style, StyleMaterial

# Styles, samples; "tiny" runs the bulk (COPY) path for tests.
COUNTS = {"small": (30, 60), "tiny": (20, 50), "medium": (2_500, 10_000), "large": (50_000, 200_000)}
SEASONS = ["SS26", "AW26", "SS27", "AW27"]
SIZE_RANGES = [
    ("XS-XXL", "Adult XS to XXL", ["XS", "S", "M", "L", "XL", "XXL"]),
    ("W28-40", "Waist 28 to 40", ["28", "30", "32", "34", "36", "38", "40"]),
    ("UK6-18", "Women's UK 6 to 18", ["6", "8", "10", "12", "14", "16", "18"]),
    ("2Y-14Y", "Kids 2 to 14 years", ["2Y", "4Y", "6Y", "8Y", "10Y", "12Y", "14Y"]),
]
# A style's range follows its category (adult XS-XXL otherwise); every KIDS_EVERY-th style is kidswear.
RANGE_OF_CATEGORY = {Category.BOTTOMS: "W28-40", Category.DRESSES: "UK6-18"}
KIDS_EVERY = 8
COLOURS = ["Navy", "White", "Black", "Stone", "Olive", "Sky", "Charcoal", "Ecru", "Red", "Khaki", "Pink", "Burgundy"]
GRADED_SHARE = 0.6  # fabric lines consuming more in the larger sizes
GRADE_STEP = Decimal("0.05")  # per size above the middle of the range
COLOUR_TRIM_SHARE = 0.25  # styles with a trim matched to each colourway (a navy button on the navy shirt)
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
    "size",
    "comments",
    "created_at",
    "updated_at",
]
BOM_COLUMNS = ["style_id", "material_id", "colour", "consumption_per_piece", "size_consumption", "wastage_percent"]


def generate(*, scale: str, seed: int) -> int:
    """Size ranges; styles ST00001.. each with a range, 2-5 colourways and a graded bill (a fabric, two
    trims, sometimes a trim per colourway); samples at assorted workflow steps (first run only)."""
    rng = random.Random(seed)
    style_count, sample_count = COUNTS[scale]
    buyers = list(Buyer.objects.order_by("code").values_list("pk", flat=True))
    fabrics = list(Material.objects.filter(kind=MaterialKind.FABRIC).values_list("pk", flat=True))
    trims = list(Material.objects.exclude(kind=MaterialKind.FABRIC).values_list("pk", flat=True))
    if not (buyers and fabrics and trims):
        return 0
    if scale != "small":
        return _generate_bulk(rng, style_count, sample_count, buyers=buyers, fabrics=fabrics, trims=trims)
    before = SizeRange.objects.count()
    SizeRange.objects.bulk_create([SizeRange(**fields) for fields in _size_ranges()], ignore_conflicts=True)
    created = SizeRange.objects.count() - before
    ranges = _range_ids()
    styles = [Style(**_style(rng, number, buyers, ranges)) for number in range(1, style_count + 1)]
    before = Style.objects.count()
    Style.objects.bulk_create(styles, ignore_conflicts=True)
    created += Style.objects.count() - before
    if not Colourway.objects.exists():
        colourways = [
            Colourway(style_id=style_id, name=name)
            for style_id in Style.objects.order_by("code").values_list("pk", flat=True)
            for name in _colourways(rng)
        ]
        created += len(Colourway.objects.bulk_create(colourways))
    if not StyleMaterial.objects.exists():
        lines = [
            StyleMaterial(style_id=style_id, **line)
            for style_id, sizes, colours in _specs()
            for line in _bill_of_materials(rng, fabrics, trims, sizes, colours)
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


def _size_ranges() -> list[dict]:
    return [{"code": code, "name": name, "sizes": sizes} for code, name, sizes in SIZE_RANGES]


def _range_ids() -> dict[str, int]:
    """{code: id} of the SIZE_RANGES."""
    return dict(SizeRange.objects.filter(code__in=[code for code, *_ in SIZE_RANGES]).values_list("code", "pk"))


def _style(rng: random.Random, number: int, buyers: list[int], ranges: dict[str, int], *, season: str = "") -> dict:
    style = {
        "code": f"ST{number:05d}",
        "name": f"{rng.choice(['Oxford', 'Poplin', 'Denim', 'Jersey', 'Linen'])} "
        f"{rng.choice(['shirt', 'dress', 'trouser', 'tee', 'jacket'])} {number}",
        "buyer_id": rng.choice(buyers),
        "season": season or rng.choice(SEASONS),
        "category": rng.choice(Category.values),
        "target_price": Decimal(rng.randint(400, 4_000)) / 100,
    }
    # The range draws nothing from rng: styles (and the buyers the examples name) stay as before ranges.
    kids = number % KIDS_EVERY == 0
    size_range = "2Y-14Y" if kids else RANGE_OF_CATEGORY.get(style["category"], "XS-XXL")
    return {**style, "size_range_id": ranges[size_range], "is_active": True}


def _colourways(rng: random.Random) -> list[str]:
    """Two to five distinct colours."""
    return rng.sample(COLOURS, 2 + int(rng.random() * 4))


def _specs() -> list[tuple[int, list[str], list[str]]]:
    """(style id, sizes, colour names) of every style, in code order: three queries."""
    colours: dict[int, list[str]] = {}
    for style_id, name in Colourway.objects.order_by("style_id", "id").values_list("style_id", "name"):
        colours.setdefault(style_id, []).append(name)
    styles = Style.objects.order_by("code").values_list("pk", "size_range__sizes")
    return [(pk, sizes or [], colours.get(pk, [])) for pk, sizes in styles]


def _bill_of_materials(
    rng: random.Random, fabrics: list[int], trims: list[int], sizes: list[str], colours: list[str]
) -> list[dict]:
    """A fabric (often graded: more of it in the sizes above the middle of the range) and two trims, all
    for every colourway; for some styles also a trim per colourway, needed by that colourway only."""
    consumption = Decimal(rng.randint(80, 250)) / 100
    graded = {}
    if rng.random() < GRADED_SHARE:
        middle = len(sizes) // 2
        graded = {
            size: str((consumption * (1 + GRADE_STEP * step)).quantize(Decimal("0.0001")))
            for step, size in enumerate(sizes[middle + 1 :], start=1)
        }
    fabric = {
        "material_id": rng.choice(fabrics),
        "colour": "",
        "consumption_per_piece": consumption,
        "size_consumption": graded,
        "wastage_percent": Decimal(rng.choice([3, 5, 8])),
    }
    shared = rng.sample(trims, 2)
    lines = [fabric] + [_trim(rng, trim) for trim in shared]
    if colours and rng.random() < COLOUR_TRIM_SHARE:
        others = [trim for trim in trims if trim not in shared]
        matched = rng.sample(others, min(len(colours), len(others)))
        lines += [_trim(rng, trim, colour) for trim, colour in zip(matched, colours, strict=False)]
    return lines


def _trim(rng: random.Random, material: int, colour: str = "") -> dict:
    return {
        "material_id": material,
        "colour": colour,
        "consumption_per_piece": Decimal(rng.randint(1, 12)),
        "size_consumption": {},
        "wastage_percent": Decimal(2),
    }


def _season(at: int) -> str:
    """The season a style designed at this time is for: spring/summer next year, or autumn/winter this year."""
    day = datetime.fromtimestamp(at, UTC)
    return f"AW{day.year % 100:02d}" if day.month <= 6 else f"SS{(day.year + 1) % 100:02d}"


def _generate_bulk(rng: random.Random, style_count: int, sample_count: int, **choices) -> int:
    with bulk.Load() as load:
        load.copy_records(SizeRange, _size_ranges(), bulk.before_history(rng, len(SIZE_RANGES)))
        ranges = _range_ids()
        # Styles are designed through the history (up to a month before its end), in code order.
        times = list(bulk.spread(rng, style_count, start=bulk.START - 90 * bulk.DAY, end=bulk.END - 30 * bulk.DAY))
        styles = [
            _style(rng, number, choices["buyers"], ranges, season=_season(at))
            for number, at in enumerate(times, start=1)
        ]
        load.copy_records(Style, styles, times)
        if not Colourway.objects.exists():
            style_ids = list(Style.objects.order_by("code").values_list("pk", flat=True))
            rows = ((style_id, name, "") for style_id in style_ids for name in _colourways(rng))
            load.copy(Colourway, ["style_id", "name", "code"], rows, total=4 * len(style_ids))
        if not StyleMaterial.objects.exists():
            specs = _specs()
            rows = (
                (
                    style_id,
                    line["material_id"],
                    line["colour"],
                    line["consumption_per_piece"],
                    json.dumps(line["size_consumption"]),
                    line["wastage_percent"],
                )
                for style_id, sizes, colours in specs
                for line in _bill_of_materials(rng, choices["fabrics"], choices["trims"], sizes, colours)
            )
            load.copy(StyleMaterial, BOM_COLUMNS, rows, total=4 * len(specs))
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
            "",  # size
            "",  # comments
            text(at),
            text(updated),
        )
