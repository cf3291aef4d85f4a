"""`manage.py bench`: time the API and admin on the large data set, single client, after warm-up.

Requests go through Django's full handler and middleware in this process (django.test.Client),
not over HTTP: this measures our Python path and the database, which is where the cost is;
`make loadtest` is for the network and concurrency. Business apps are reached only through
URLs and the apps registry, so apps/core still imports none of them.
"""

import json
import statistics
import time
from base64 import b64encode
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.core import cache
from apps.core.reporting import replace_section

# (name, target p95 in ms) and the target p50 where one is set
TARGETS = {"list": (25, 10), "search": (30, None), "admin": (100, None), "create": (50, None), "cached": (None, 2)}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def cursor_at(queryset, depth: int) -> str:
    """A DRF cursor pointing `depth` rows into a newest-first (created_at, id) list."""
    position = queryset.order_by("-created_at", "-id").values_list("created_at", flat=True)[depth]
    return b64encode(urlencode({"p": str(position)}).encode()).decode()


class Command(BaseCommand):
    help = "Benchmark the API and admin on the large data set; writes a JSON report and docs/PERFORMANCE.md."

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="large", help="generate_data scale to build if the data is missing")
        parser.add_argument("--requests", type=int, default=200, help="measured requests per endpoint")
        parser.add_argument("--warmup", type=int, default=30)
        parser.add_argument("--output", default="var/bench/report.json")
        parser.add_argument("--markdown", default="docs/PERFORMANCE.md")

    def handle(self, *args, scale, requests, warmup, output, markdown, **options):
        if settings.DEBUG or settings.SILK_ENABLED:
            raise CommandError("Run with DJANGO_DEBUG=false SILK_ENABLED=false: both add work to every request.")
        Order = apps.get_model("orders.Order")
        call_command("migrate", verbosity=0)
        if not Order.objects.exists():
            self.stdout.write(f"Building the {scale} data set (generate_data --scale {scale} --seed 1)...")
            started = time.monotonic()
            call_command("generate_data", scale=scale, seed=1)
            self.stdout.write(f"Built in {time.monotonic() - started:.0f} s.")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.requests, self.warmup = requests, warmup
        self.clients = self._clients()
        results = [self._measure(**endpoint) for endpoint in self._endpoints()]
        report = {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "requests": requests,
            "warmup": warmup,
            "rows": {label: apps.get_model(label).objects.count() for label in self._counted_models()},
            "floor": self._floor(),
            "endpoints": results,
        }
        for result in results:
            sql = result.pop("_sql", None)
            result["raw_sql_p50_ms"] = self._time_sql(sql) if sql else None
            result["x_raw_sql"] = round(result["p50_ms"] / result["raw_sql_p50_ms"], 1) if sql else None
            result["x_bare_view"] = round(result["p50_ms"] / report["floor"]["bare_view_p50_ms"], 1)
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(json.dumps(report, indent=2))
        table = self._markdown(report)
        replace_section(markdown, "bench", table)
        self.stdout.write(table)
        self.stdout.write(f"Report: {output}; table written to {markdown}.")

    # --- set-up -------------------------------------------------------------------------

    def _counted_models(self):
        return [
            "buyers.Buyer", "samples.Style", "samples.Sample", "orders.Order", "orders.OrderLine",
            "inventory.Material", "inventory.StockMovement", "purchasing.PurchaseOrder",
        ]  # fmt: skip

    def _clients(self) -> dict[str, Client]:
        User = get_user_model()
        clients = {}
        for role in ("viewer", "sales", None):
            name = f"bench-{role or 'admin'}"
            user, _ = User.objects.get_or_create(
                username=name, defaults={"is_staff": True, "is_superuser": role is None}
            )
            if role:
                user.groups.add(Group.objects.get(name=role))
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            clients[role or "admin"] = client
        return clients

    def _endpoints(self):
        Buyer, Order, Style = (apps.get_model(label) for label in ("buyers.Buyer", "orders.Order", "samples.Style"))
        depth = min(100_000, Order.objects.count() // 2)  # smaller only on small data sets
        busy = Order.objects.order_by("-created_at").values_list("buyer_id", flat=True)[0]
        order = Order.objects.order_by("-created_at").first()
        style = (
            Style.objects.select_related("buyer", "size_range")
            .filter(buyer__is_active=True, size_range__isnull=False, colourways__isnull=False)
            .order_by("id")
            .first()
        )
        buyer_word = Buyer.objects.order_by("id").values_list("name", flat=True).first().split()[0]
        style_word = style.name.split()[0]
        # Entered as staff do: a grid of two colourways by five sizes, stored as 10 lines.
        colours = [colourway.name for colourway in style.colourways.all()[:2]]
        quantities = {colour: {size: 10 + n for n, size in enumerate(style.size_range.sizes[:5])} for colour in colours}
        grid = [{"style": style.pk, "unit_price": "6.50", "quantities": quantities}]
        new_order = {"buyer": style.buyer_id, "ship_date": "2030-01-31", "grid": grid}
        yield from [
            {"name": "orders list, first page", "kind": "list", "path": "/api/v1/orders/"},
            {"name": f"orders list, cursor {depth:,} deep", "kind": "list", "path": "/api/v1/orders/",
             "params": {"cursor": cursor_at(Order.objects.all(), depth)}},
            {"name": "orders filtered by buyer and status", "kind": "list", "path": "/api/v1/orders/",
             "params": {"buyer": busy, "status": "confirmed"}},
            {"name": "orders filtered by order date (one month)", "kind": "list", "path": "/api/v1/orders/",
             "params": {"order_date_after": order.order_date.replace(day=1), "order_date_before": order.order_date}},
            {"name": "order detail with lines", "kind": "list", "path": f"/api/v1/orders/{order.pk}/"},
            {"name": "samples list", "kind": "list", "path": "/api/v1/samples/"},
            {"name": "stock movements list", "kind": "list", "path": "/api/v1/stock-movements/"},
            *[
                {"name": f"{lookup} (cached, hit)", "kind": "cached", "path": f"/api/v1/{lookup}/"}
                for lookup in ("buyers", "suppliers", "styles", "materials", "warehouses")
            ],
            *[
                {"name": f"{lookup} (uncached)", "kind": "list", "path": f"/api/v1/{lookup}/", "uncached": label}
                for lookup, label in [("buyers", "buyers.Buyer"), ("suppliers", "purchasing.Supplier"),
                                      ("styles", "samples.Style"), ("materials", "inventory.Material"),
                                      ("warehouses", "inventory.Warehouse")]
            ],
            {"name": f"search buyers '{buyer_word}'", "kind": "search", "path": "/api/v1/buyers/",
             "params": {"search": buyer_word}, "uncached": "buyers.Buyer"},
            {"name": f"search styles '{style_word}'", "kind": "search", "path": "/api/v1/styles/",
             "params": {"search": style_word}, "uncached": "samples.Style"},
            {"name": "admin changelist: orders", "kind": "admin", "path": "/admin/orders/order/", "client": "admin"},
            {"name": "admin changelist: samples", "kind": "admin", "path": "/admin/samples/sample/", "client": "admin"},
            {"name": "create order, a 2 x 5 grid (10 lines)", "kind": "create", "path": "/api/v1/orders/",
             "client": "sales", "post": new_order},
        ]  # fmt: skip

    # --- measuring ----------------------------------------------------------------------

    def _measure(self, *, name, kind, path, params=None, client="viewer", uncached=None, post=None):
        http = self.clients[client]
        model = apps.get_model(uncached) if uncached else None

        def call():
            if model is not None:
                cache.bump(model)  # a fresh key: this request misses
            if post is not None:
                return http.post(path, post, content_type="application/json")
            return http.get(path, params or {}, HTTP_ACCEPT="application/json")

        for _ in range(self.warmup):
            call()
        with CaptureQueriesContext(connection) as capture:
            response = call()
        queries = list(capture.captured_queries)  # now: later requests reset the connection's log
        if response.status_code not in (200, 201):
            raise CommandError(f"{name}: HTTP {response.status_code} {response.content[:300]!r}")
        timings = []
        for _ in range(self.requests):
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        p95_target, p50_target = TARGETS[kind]
        result = {
            "name": name,
            "kind": kind,
            "path": path,
            "params": {key: str(value) for key, value in (params or {}).items()},
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(percentile(timings, 0.95), 2),
            "queries": len(queries),
            "count_queries": sum(query["sql"].upper().startswith("SELECT COUNT(") for query in queries),
            "target_p95_ms": p95_target,
            "target_p50_ms": p50_target,
        }
        main = max(queries, key=lambda query: float(query["time"]), default=None)
        if kind in ("list", "search", "admin") and main and not main["sql"].startswith(("INSERT", "UPDATE")):
            result["_sql"] = main["sql"]
        self.stdout.write(f"  {name}: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, {len(queries)} queries")
        return result

    def _time_sql(self, sql: str) -> float:
        """p50 of the endpoint's slowest query run alone: the database's share of the request."""
        timings = []
        with connection.cursor() as cursor:
            for round_number in range(self.warmup + self.requests):
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                if round_number >= self.warmup:
                    timings.append((time.perf_counter() - started) * 1000)
        return round(statistics.median(timings), 3)

    def _floor(self) -> dict:
        """A bare Django JSON view through the same middleware: /health/live."""
        http = self.clients["viewer"]
        timings = []
        for round_number in range(self.warmup + self.requests):
            started = time.perf_counter()
            http.get("/health/live")
            if round_number >= self.warmup:
                timings.append((time.perf_counter() - started) * 1000)
        return {"bare_view_p50_ms": round(statistics.median(timings), 3)}

    # --- reporting ----------------------------------------------------------------------

    def _markdown(self, report) -> str:
        rows = [
            "| Endpoint | p50 ms | p95 ms | queries | COUNTs | target | met | vs raw SQL | vs bare view |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for result in report["endpoints"]:
            p95_target, p50_target = result["target_p95_ms"], result["target_p50_ms"]
            target = " ".join(
                part
                for part in (f"p50 ≤ {p50_target}" if p50_target else "", f"p95 ≤ {p95_target}" if p95_target else "")
                if part
            )
            met = (p95_target is None or result["p95_ms"] <= p95_target) and (
                p50_target is None or result["p50_ms"] <= p50_target
            )
            rows.append(
                f"| {result['name']} | {result['p50_ms']} | {result['p95_ms']} | {result['queries']} "
                f"| {result['count_queries']} | {target} | {'yes' if met else '**no**'} "
                f"| {result['x_raw_sql'] or '-'} | {result['x_bare_view']} |"
            )
        first = next(r for r in report["endpoints"] if r["name"] == "orders list, first page")
        deep = next(r for r in report["endpoints"] if r["name"].startswith("orders list, cursor"))
        counts = ", ".join(f"{label.split('.')[1]} {count:,}" for label, count in report["rows"].items())
        return "\n".join(
            [
                f"Measured {report['measured_at']}, {report['requests']} requests per endpoint after "
                f"{report['warmup']} warm-up requests. Rows: {counts}.",
                f"Bare Django JSON view (/health/live, same middleware): p50 {report['floor']['bare_view_p50_ms']} ms. "
                f"Deep cursor page / first page (p50): {deep['p50_ms'] / first['p50_ms']:.2f} (target ≤ 1.2).",
                "",
                *rows,
            ]
        )
