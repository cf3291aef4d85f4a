"""Deterministic sample styles with bills of materials, and samples (see `manage.py generate_data`)."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.buyers.models import Buyer
from apps.inventory.choices import MaterialKind
from apps.inventory.models import Material

from . import services
from .choices import SAMPLE_WORKFLOW, Category, SampleType
from .models import Sample, Style, StyleMaterial

COUNTS = {"small": (30, 60), "medium": (2_000, 5_000), "large": (50_000, 200_000)}  # styles, samples
SEASONS = ["SS26", "AW26", "SS27", "AW27"]


def generate(*, scale: str, seed: int) -> int:
    """Styles ST00001.. with a fabric and two trims each; samples at assorted workflow steps (first run only)."""
    rng = random.Random(seed)
    style_count, sample_count = COUNTS[scale]
    buyers = list(Buyer.objects.order_by("code").values_list("pk", flat=True))
    fabrics = list(Material.objects.filter(kind=MaterialKind.FABRIC).values_list("pk", flat=True))
    trims = list(Material.objects.exclude(kind=MaterialKind.FABRIC).values_list("pk", flat=True))
    if not (buyers and fabrics and trims):
        return 0
    styles = [
        Style(
            code=f"ST{number:05d}",
            name=f"{rng.choice(['Oxford', 'Poplin', 'Denim', 'Jersey', 'Linen'])} "
            f"{rng.choice(['shirt', 'dress', 'trouser', 'tee', 'jacket'])} {number}",
            buyer_id=rng.choice(buyers),
            season=rng.choice(SEASONS),
            category=rng.choice(Category.values),
            target_price=Decimal(rng.randint(400, 4_000)) / 100,
        )
        for number in range(1, style_count + 1)
    ]
    before = Style.objects.count()
    Style.objects.bulk_create(styles, ignore_conflicts=True)
    created = Style.objects.count() - before
    if not StyleMaterial.objects.exists():
        lines = []
        for style_id in Style.objects.values_list("pk", flat=True):
            lines.append(
                StyleMaterial(
                    style_id=style_id,
                    material_id=rng.choice(fabrics),
                    consumption_per_piece=Decimal(rng.randint(80, 250)) / 100,
                    wastage_percent=Decimal(rng.choice([3, 5, 8])),
                )
            )
            for trim in rng.sample(trims, 2):
                lines.append(
                    StyleMaterial(
                        style_id=style_id,
                        material_id=trim,
                        consumption_per_piece=Decimal(rng.randint(1, 12)),
                        wastage_percent=Decimal(2),
                    )
                )
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
