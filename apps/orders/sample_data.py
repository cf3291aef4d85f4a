"""Deterministic sample orders with lines (see `manage.py generate_data`)."""

import random
from array import array
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.buyers.models import Buyer
from apps.core import bulk
from apps.samples.models import Colourway, Style

from . import services
from .choices import ORDER_WORKFLOW, OrderStatus
from .models import Order, OrderLine

# "tiny" runs the bulk (COPY) path for tests; at bulk scale orders have four lines on average.
COUNTS = {"small": 40, "tiny": 60, "medium": 50_000, "large": 1_000_000}
STATUSES = list(OrderStatus)  # stored per order as an index into this list
ORDER_COLUMNS = [
    "id",
    "number",
    "buyer_id",
    "buyer_reference",
    "status",
    "order_date",
    "ship_date",
    "currency",
    "total",
    "notes",
    "created_at",
    "updated_at",
]


def generate(*, scale: str, seed: int) -> int:
    """Orders at assorted workflow steps, with totals equal to their lines; first run only."""
    if Order.objects.exists():
        return 0
    rng = random.Random(seed)
    if scale != "small":
        return _generate_bulk(rng, COUNTS[scale])
    styles_by_buyer: dict[int, list[Style]] = {}
    orderable = (
        Style.objects.filter(buyer__is_active=True, size_range__isnull=False, colourways__isnull=False)
        .distinct()
        .select_related("buyer", "size_range")
        .prefetch_related("colourways")
        .order_by("code")
    )
    for style in orderable:
        styles_by_buyer.setdefault(style.buyer_id, []).append(style)
    if not styles_by_buyer:
        return 0
    for number in range(1, COUNTS[scale] + 1):
        style = rng.choice(styles_by_buyer[rng.choice(sorted(styles_by_buyer))])
        price = Decimal(rng.randint(300, 3_000)) / 100
        colours, sizes = [colourway.name for colourway in style.colourways.all()], style.size_range.sizes
        picked = sorted(rng.sample(range(len(sizes)), min(3, len(sizes))))  # in the range's order, as a grid reads
        lines = [
            {
                "style": style,
                "colour": colour,
                "size": sizes[size],
                "quantity": rng.randint(10, 400),
                "unit_price": price,
            }
            for colour in rng.sample(colours, min(2, len(colours)))
            for size in picked
        ]
        order = services.order_create(
            buyer=style.buyer,
            buyer_reference=f"PO-{number:05d}",  # the buyer's PO number: what imports match orders by
            ship_date=timezone.localdate() + timedelta(days=rng.randint(30, 150)),
            lines=lines,
        )
        for _step in range(rng.randint(0, 2)):
            forward = sorted(ORDER_WORKFLOW.allowed(order.status) - {OrderStatus.CANCELLED})
            if forward:
                order = services.order_transition(order=order, status=forward[0])
    return COUNTS[scale]


def _generate_bulk(rng: random.Random, count: int) -> int:
    """Orders through the history for active buyers' styles, lines first (the foreign key is checked at the end)."""
    colours: dict[int, tuple[str, ...]] = {}
    for style_id, name in Colourway.objects.order_by("style_id", "id").values_list("style_id", "name"):
        colours[style_id] = (*colours.get(style_id, ()), name)
    styles = [
        (pk, buyer, price, colours[pk], tuple(sizes), at)
        for pk, buyer, price, at, sizes in Style.objects.filter(buyer__is_active=True, size_range__isnull=False)
        .order_by("created_at", "code")
        .values_list("pk", "buyer_id", "target_price", "created_at", "size_range__sizes")
        if pk in colours
    ]
    if not styles:
        return 0
    with bulk.Load() as load:
        orders = _Orders(rng, styles, count)
        columns = ["order_id", "style_id", "colour", "size", "quantity", "unit_price"]
        load.copy(OrderLine, columns, orders.lines(), total=4 * count)
        load.copy(Order, ORDER_COLUMNS, orders.headers(), total=count)
    return load.created


class _Orders:
    """Builds order lines in one pass, keeping what each order's header needs (buyer, dates,
    status, total) in compact arrays; the headers follow in a second pass."""

    def __init__(self, rng: random.Random, styles: list[tuple], count: int):
        self.rng, self.count = rng, count
        times = [int(at.timestamp()) for *_, at in styles]
        # (style, buyer, price in cents, colours, sizes): the target price, or a default for styles without one.
        entries = [(pk, buyer, int((price or 20) * 100), *spec) for pk, buyer, price, *spec, _ in styles]
        self.styles = bulk.Arrivals(entries, times)
        by_buyer: dict[int, tuple[list, list]] = {}
        for entry, at in zip(entries, times, strict=True):
            items, stamps = by_buyer.setdefault(entry[1], ([], []))
            items.append(entry)
            stamps.append(at)
        self.by_buyer = {buyer: bulk.Arrivals(items, stamps) for buyer, (items, stamps) in by_buyer.items()}
        self.currency = dict(Buyer.objects.values_list("pk", "currency"))
        self.ids = bulk.reserve_ids(Order, count)
        self.numbers = bulk.take_from_sequence("orders_order_number_seq", count)
        self.buyer, self.created, self.ship_day, self.total = (array("q") for _ in range(4))
        self.status = array("b")

    def lines(self) -> Iterator[tuple]:
        """OrderLine rows; orders come in pairs with 2-6 lines each and 8 together, so 4 on average."""
        rng, random = self.rng, self.rng.random
        for index, (order_id, at) in enumerate(zip(self.ids, bulk.spread(rng, self.count), strict=True)):
            if index % 2 == 0:
                line_count = 2 + int(random() * 5)
                partner = 8 - line_count
            else:
                line_count = partner
            if index == self.count - 1 and index % 2 == 0:
                line_count = 4
            first_style = self.styles.pick(rng, at, recency=2)
            buyer, chosen = first_style[1], [first_style]
            if line_count >= 4:
                second = self.by_buyer[buyer].pick(rng, at)
                if second != first_style:
                    chosen.append(second)
            total = 0
            for number, (style_id, _, target_cents, colours, sizes) in enumerate(chosen):
                # Each style's share of the lines: distinct consecutive cells of its colour x size grid (a run
                # of sizes in one colour, then the next colour); generated grids have 12 cells or more.
                grid = len(colours) * len(sizes)
                cells = min((line_count + len(chosen) - 1 - number) // len(chosen), grid)
                price = target_cents * (80 + int(random() * 40)) // 100
                first = int(random() * grid)
                for cell in range(cells):
                    colour, size = divmod((first + cell) % grid, len(sizes))
                    quantity = 10 + int(random() * 391)
                    total += quantity * price
                    yield order_id, style_id, colours[colour], sizes[size], quantity, bulk.fixed(price, 2)
            ship_day = at // bulk.DAY + 30 + int(random() * 121)
            self.buyer.append(buyer)
            self.created.append(at)
            self.ship_day.append(ship_day)
            self.total.append(total)
            self.status.append(STATUSES.index(self._status(at, ship_day)))

    def _status(self, at: int, ship_day: int) -> str:
        """Old orders are shipped or closed, recent ones drafts, confirmed or in production; a few are cancelled."""
        roll, end_day = self.rng.random(), bulk.END // bulk.DAY
        if roll < 0.06:
            return OrderStatus.CANCELLED
        if ship_day < end_day - 30:
            return OrderStatus.CLOSED if roll < 0.85 else OrderStatus.SHIPPED
        if ship_day < end_day:
            return OrderStatus.SHIPPED if roll < 0.7 else OrderStatus.IN_PRODUCTION
        if bulk.END - at < 14 * bulk.DAY:
            return OrderStatus.DRAFT if roll < 0.5 else OrderStatus.CONFIRMED
        return OrderStatus.CONFIRMED if roll < 0.4 else OrderStatus.IN_PRODUCTION

    def headers(self) -> Iterator[tuple]:
        """Order rows, once lines() is consumed."""
        random, text = self.rng.random, bulk.timestamp_text
        for index, (order_id, number) in enumerate(zip(self.ids, self.numbers, strict=True)):
            at, buyer, status = self.created[index], self.buyer[index], STATUSES[self.status[index]]
            # Touched last when it moved on: some time between creation and the end of the history.
            updated = at if status == OrderStatus.DRAFT else at + int(random() * (bulk.END - at))
            yield (
                order_id,
                f"SO{number:07d}",
                buyer,
                f"PO-{int(random() * 900_000) + 100_000}" if random() < 0.7 else "",
                status,
                bulk.day_text(at // bulk.DAY),
                bulk.day_text(self.ship_day[index]),
                self.currency[buyer],
                bulk.fixed(self.total[index], 2),
                "",
                text(at),
                text(updated),
            )
