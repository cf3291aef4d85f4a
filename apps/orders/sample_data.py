"""Deterministic sample orders with lines (see `manage.py generate_data`)."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.samples.models import Style

from . import services
from .choices import ORDER_WORKFLOW, OrderStatus
from .models import Order

COUNTS = {"small": 40, "medium": 10_000, "large": 1_000_000}
COLOURS = ["Navy", "White", "Black", "Sky", "Olive"]
SIZES = ["XS", "S", "M", "L", "XL"]


def generate(*, scale: str, seed: int) -> int:
    """Orders through the order service (totals kept), at assorted workflow steps; first run only."""
    if Order.objects.exists():
        return 0
    rng = random.Random(seed)
    styles_by_buyer: dict[int, list[Style]] = {}
    for style in Style.objects.filter(buyer__is_active=True).select_related("buyer").order_by("code"):
        styles_by_buyer.setdefault(style.buyer_id, []).append(style)
    if not styles_by_buyer:
        return 0
    for _ in range(COUNTS[scale]):
        style = rng.choice(styles_by_buyer[rng.choice(sorted(styles_by_buyer))])
        price = Decimal(rng.randint(300, 3_000)) / 100
        lines = [
            {"style": style, "colour": colour, "size": size, "quantity": rng.randint(10, 400), "unit_price": price}
            for colour in rng.sample(COLOURS, 2)
            for size in rng.sample(SIZES, 3)
        ]
        order = services.order_create(
            buyer=style.buyer, ship_date=timezone.localdate() + timedelta(days=rng.randint(30, 150)), lines=lines
        )
        for _step in range(rng.randint(0, 2)):
            forward = sorted(ORDER_WORKFLOW.allowed(order.status) - {OrderStatus.CANCELLED})
            if forward:
                order = services.order_transition(order=order, status=forward[0])
    return COUNTS[scale]
