"""The staff dashboard in the admin: orders by status and by month, the sample pipeline, overdue
samples, late T&A milestones and low stock.

Each block is a few aggregate queries whose count never depends on the number of rows, and is
cached in Redis under a key holding the versions of every model it reads (apps.core.cache.versions),
so a saved row invalidates it at once; blocks that depend on the date hold the day too. Entries
also expire after DASHBOARD_CACHE_TTL seconds. The keys live under "view:", so
apps.core.cache.clear() drops them with the cached views (versions restart from 0 there).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from apps.core.cache import versions
from apps.inventory.models import Material
from apps.orders.choices import DEMAND_STATUSES, OrderStatus
from apps.orders.models import Order, OrderMilestone
from apps.samples.choices import DECIDED_STATUSES, OPEN_STATUSES, SampleStatus
from apps.samples.models import Sample

# Rows shown in each table; the total is shown beside it.
TOP_ROWS = 10
MONTHS = 12


def _month_start(day: datetime.date, months_back: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def orders_block(today: datetime.date) -> dict:
    """Orders per status (all of them), and per month of order date over the last 12 months with
    their value per currency (cancelled orders left out): two grouped queries."""
    per_status = dict(Order.objects.order_by().values_list("status").annotate(count=Count("*")))
    first, end = _month_start(today, MONTHS - 1), _month_start(today, -1)
    months = [_month_start(today, back) for back in range(MONTHS - 1, -1, -1)]
    rows = (
        Order.objects.filter(order_date__gte=first, order_date__lt=end)
        .exclude(status=OrderStatus.CANCELLED)
        .annotate(month=TruncMonth("order_date"))
        .order_by()
        .values("month", "currency")
        .annotate(count=Count("*"), value=Sum("total"))
    )
    counts = dict.fromkeys(months, 0)
    values: dict[str, dict[datetime.date, Decimal]] = {}
    orders_in: dict[str, int] = {}
    for row in rows:
        counts[row["month"]] += row["count"]
        values.setdefault(row["currency"], dict.fromkeys(months, Decimal(0)))[row["month"]] = row["value"]
        orders_in[row["currency"]] = orders_in.get(row["currency"], 0) + row["count"]
    # The currency with the most orders first (values in different currencies do not compare):
    # the value chart shows it until another is picked.
    currencies = sorted(values, key=lambda code: (-orders_in[code], code))
    return {
        "by_status": [
            {"status": status.value, "label": status.label, "count": per_status.get(status.value, 0)}
            for status in OrderStatus
        ],
        "total": sum(per_status.values()),
        "open": sum(per_status.get(status, 0) for status in DEMAND_STATUSES),
        "months": [{"month": month.strftime("%Y-%m"), "label": month.strftime("%b %Y")} for month in months],
        "count_by_month": list(counts.values()),
        "value_by_month": {code: [float(values[code][month]) for month in months] for code in currencies},
        "this_month": counts[months[-1]],
    }


def samples_block(today: datetime.date) -> dict:
    """Samples per status, split into overdue, on schedule and decided, plus the longest-overdue
    samples: two queries (the overdue total comes from the first)."""
    overdue = Q(status__in=OPEN_STATUSES, due_date__lt=today)
    per_status = {
        row["status"]: row
        for row in Sample.objects.order_by()
        .values("status")
        .annotate(count=Count("*"), overdue=Count("id", filter=overdue))
    }
    pipeline = []
    for status in SampleStatus:
        row = per_status.get(status.value, {"count": 0, "overdue": 0})
        closed = status in DECIDED_STATUSES
        pipeline.append(
            {
                "status": status.value,
                "label": status.label,
                "count": row["count"],
                "overdue": row["overdue"],
                "on_schedule": 0 if closed else row["count"] - row["overdue"],
                "decided": row["count"] if closed else 0,
            }
        )
    oldest = (
        Sample.objects.filter(overdue)
        .order_by("due_date", "id")
        .values("id", "number", "type", "status", "due_date", "style__code", "style__name", "buyer__code")[:TOP_ROWS]
    )
    types, statuses = dict(Sample._meta.get_field("type").choices), dict(SampleStatus.choices)
    return {
        "pipeline": pipeline,
        "total": sum(row["count"] for row in pipeline),
        "open": sum(row["count"] for row in pipeline if row["status"] in OPEN_STATUSES),
        "overdue_total": sum(row["overdue"] for row in pipeline),
        "overdue": [
            {
                "id": row["id"],
                "number": row["number"],
                "style": f"{row['style__code']} - {row['style__name']}",
                "buyer": row["buyer__code"],
                "type": types.get(row["type"], row["type"]),
                "status": statuses.get(row["status"], row["status"]),
                "due_date": row["due_date"],
                "days_overdue": (today - row["due_date"]).days,
            }
            for row in oldest
        ],
    }


def milestones_block(today: datetime.date) -> dict:
    """Open T&A milestones past their planned date, of orders still in hand: how many, and the
    oldest. Two queries, both ranges of the open-milestones index."""
    late = OrderMilestone.objects.late(today)
    oldest = late.order_by("planned_date", "id").values(
        "order_id", "order__number", "order__buyer__code", "template__name", "planned_date"
    )[:TOP_ROWS]
    return {
        "late_total": late.count(),
        "late": [
            {
                "order_id": row["order_id"],
                "order": row["order__number"],
                "buyer": row["order__buyer__code"],
                "milestone": row["template__name"],
                "planned_date": row["planned_date"],
                "days_late": (today - row["planned_date"]).days,
            }
            for row in oldest
        ],
    }


def stock_block(today: datetime.date) -> dict:
    """Active materials whose stock over all warehouses is below their reorder level: how many,
    and those short by the most. Two queries, the on-hand a subquery per material."""
    low = Material.objects.filter(is_active=True, reorder_level__gt=0).below_reorder()
    rows = (
        low.annotate(shortfall=F("reorder_level") - F("on_hand"))
        .order_by("-shortfall", "code")
        .values("id", "code", "name", "unit", "reorder_level", "on_hand", "shortfall")[:TOP_ROWS]
    )
    return {"low_total": low.count(), "low": list(rows)}


@dataclass(frozen=True)
class Block:
    """One cached part of the dashboard: what computes it, what it reads, who may see it."""

    name: str
    compute: Callable[[datetime.date], dict]
    depends_on: tuple[str, ...]  # every model whose rows change its figures
    permission: str
    daily: bool = True  # its figures depend on today's date

    def key(self, today: datetime.date) -> str:
        stamp = today.isoformat() if self.daily else ""
        return f"view:dashboard:{self.name}:{versions([apps.get_model(label) for label in self.depends_on])}:{stamp}"


BLOCKS = {
    block.name: block
    for block in (
        # Lines too: replacing an order's lines deletes them (a signal) and updates its total (none).
        Block("orders", orders_block, ("orders.Order", "orders.OrderLine"), "orders.view_order"),
        Block("samples", samples_block, ("samples.Sample", "samples.Style", "buyers.Buyer"), "samples.view_sample"),
        # Orders too: a shipped or cancelled order's milestones are no longer late.
        Block(
            "milestones",
            milestones_block,
            ("orders.OrderMilestone", "orders.MilestoneTemplate", "orders.Order", "buyers.Buyer"),
            "orders.view_ordermilestone",
        ),
        # Postings update levels with update() (no signal) but always append a movement (a signal).
        Block(
            "stock",
            stock_block,
            ("inventory.Material", "inventory.StockLevel", "inventory.StockMovement"),
            "inventory.view_material",
            daily=False,
        ),
    )
}


def dashboard_data(blocks=None, *, refresh: bool = False) -> dict:
    """The dashboard's figures, {block name: data}, from the cache where current, else computed and
    cached. `blocks` picks some (default: all); refresh=True recomputes them whatever is cached."""
    today = timezone.localdate()
    data = {}
    for name in BLOCKS if blocks is None else blocks:
        block = BLOCKS[name]
        key = block.key(today)
        entry = None if refresh else cache.get(key)
        if entry is None:
            entry = {**block.compute(today), "computed_at": timezone.now()}
            cache.set(key, entry, timeout=settings.DASHBOARD_CACHE_TTL)
        data[name] = entry
    return data


def refresh() -> dict:
    """Recompute and cache every block (the nightly task calls this, so the first look of the day is quick)."""
    return dashboard_data(refresh=True)


def _charts(data: dict) -> dict:
    """What static/reports/dashboard.js draws: only the charts' series, never the tables."""
    charts = {}
    if "orders" in data:
        orders = data["orders"]
        charts["orders"] = {
            "changelist": reverse("admin:orders_order_changelist"),
            **{key: orders[key] for key in ("by_status", "months", "count_by_month", "value_by_month")},
        }
    if "samples" in data:
        charts["samples"] = {
            "changelist": reverse("admin:samples_sample_changelist"),
            "pipeline": data["samples"]["pipeline"],
        }
    return charts


def dashboard_view(request):
    """The dashboard page, with the blocks whose models the user may view."""
    permitted = [name for name, block in BLOCKS.items() if request.user.has_perm(block.permission)]
    data = dashboard_data(permitted)
    today = timezone.localdate()
    context = {
        **admin.site.each_context(request),
        "title": "Dashboard",
        "data": data,
        "charts": _charts(data),
        "top_rows": TOP_ROWS,
        "as_of": min((block["computed_at"] for block in data.values()), default=None),
        "ttl_minutes": max(1, settings.DASHBOARD_CACHE_TTL // 60),
        "overdue_query": f"due_date__lt={today.isoformat()}&status__in={','.join(OPEN_STATUSES)}",
    }
    return TemplateResponse(request, "admin/reports/dashboard.html", context)


dashboard = admin.site.admin_view(dashboard_view)
