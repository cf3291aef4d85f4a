"""Deterministic sample buyers for the demo and benchmarks (see `manage.py generate_data`)."""

import random

from apps.core import bulk

from .choices import PaymentTerms
from .models import Buyer

# "tiny" runs the bulk (COPY) path with a handful of rows, for tests.
COUNTS = {"small": 50, "tiny": 8, "medium": 100, "large": 2_000}
MARKETS = [("GB", "GBP"), ("US", "USD"), ("DE", "EUR"), ("FR", "EUR"), ("SE", "SEK"), ("JP", "JPY"), ("AU", "AUD")]
PREFIXES = ["North", "Blue", "Urban", "Coast", "Stone", "Maple", "Harbor", "Linen", "Atlas", "Nova"]
SUFFIXES = ["Apparel", "Clothing", "Outfitters", "Retail", "Fashion", "Wear", "Brands", "Goods"]


def generate(*, scale: str, seed: int) -> int:
    """Create the scale's buyers (codes B00001...); existing codes are left alone. Returns rows created."""
    rng = random.Random(seed)
    buyers = [_buyer(rng, number) for number in range(1, COUNTS[scale] + 1)]
    if scale == "small":
        before = Buyer.objects.count()
        Buyer.objects.bulk_create([Buyer(**buyer) for buyer in buyers], batch_size=2_000, ignore_conflicts=True)
        return Buyer.objects.count() - before
    with bulk.Load() as load:
        load.copy_records(Buyer, buyers, bulk.before_history(rng, len(buyers)))
    return load.created


def _buyer(rng: random.Random, number: int) -> dict:
    country, currency = rng.choice(MARKETS)
    name = f"{rng.choice(PREFIXES)} {rng.choice(SUFFIXES)} {number}"
    return {
        "code": f"B{number:05d}",
        "name": name,
        "company": f"{name} Ltd",
        "country": country,
        "currency": currency,
        "email": f"buying{number}@example.com",
        "payment_terms": rng.choice(PaymentTerms.values),
        "is_active": rng.random() > 0.1,
    }
