"""`manage.py loadtest`: simulated staff (Locust) against the app under gunicorn on 127.0.0.1.

The command prepares the run (data set, staff accounts with tokens, a fixture of real ids for
the simulated users), starts gunicorn with production settings and the worker/thread counts of
erp/gunicorn.py, runs Locust headless for a bounded time while sampling the app's PostgreSQL
connections, then writes a CSV and JSON report under var/loadtest/ and a table into
docs/PERFORMANCE.md. `--step N` raises the users N at a time until p95 passes the limit or
errors appear, and reports the last step that held. Business data is reached through the apps
registry, so apps/core still imports no business app.
"""

import csv
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from rest_framework.authtoken.models import Token

from apps.core.reporting import replace_section
from erp import gunicorn as gunicorn_config

LOCUSTFILE = Path(__file__).resolve().parents[2] / "loadtest" / "locustfile.py"
# Staff of the simulated office: who does the mix's writes needs the matching role.
ROLES = ("merchandiser", "sales")
SAMPLE_SIZE = 2000  # existing ids handed to the simulated users per kind


class Command(BaseCommand):
    help = "Load-test the app under gunicorn with Locust; writes var/loadtest/ and a table in docs/PERFORMANCE.md."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=250, help="simulated staff (fixed mode)")
        parser.add_argument("--duration", type=int, default=300, help="seconds measured after all users started")
        parser.add_argument("--spawn-rate", type=float, default=20, help="users started per second")
        parser.add_argument("--step", type=int, default=0, help="step mode: add this many users per step")
        parser.add_argument("--step-seconds", type=int, default=60, help="step mode: seconds each step is held")
        parser.add_argument("--max-users", type=int, default=3000, help="step mode: stop here at the latest")
        parser.add_argument("--p95-limit", type=float, default=200, help="step mode: a step fails above this p95 (ms)")
        parser.add_argument("--port", type=int, default=8089)
        parser.add_argument("--scale", default="large", help="generate_data scale to build if there are no orders")
        parser.add_argument("--output", default="var/loadtest")
        parser.add_argument("--markdown", default="docs/PERFORMANCE.md")

    def handle(self, *args, **options):
        if settings.DEBUG:
            raise CommandError("Run with DJANGO_DEBUG=false (make loadtest does).")
        output = Path(options["output"])
        output.mkdir(parents=True, exist_ok=True)
        label = f"step{options['step']}" if options["step"] else f"{options['users']}users"
        self._prepare_data(options["scale"])
        fixture = output / "fixture.json"
        users = options["max_users"] if options["step"] else options["users"]
        fixture.write_text(json.dumps(self._fixture(tokens=min(users, 1000))))
        with Gunicorn(port=options["port"], log=output / f"{label}-gunicorn.log") as server:
            sampler = ConnectionSampler(application_name=server.application_name)
            sampler.start()
            started = datetime.now(UTC)
            self._locust(options, label, fixture, output)
            sampler.stop()
        report = self._report(options, label, output, started, sampler.peak)
        (output / f"{label}.json").write_text(json.dumps(report, indent=2))
        replace_section(options["markdown"], f"loadtest-{label}", self._markdown(report))
        self.stdout.write(self._markdown(report))

    # --- preparation --------------------------------------------------------------------

    def _prepare_data(self, scale: str) -> None:
        call_command("migrate", verbosity=0)
        if not apps.get_model("orders.Order").objects.exists():
            self.stdout.write(f"Building the {scale} data set (generate_data --scale {scale} --seed 1)...")
            call_command("generate_data", scale=scale, seed=1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def _fixture(self, *, tokens: int) -> dict:
        """Tokens of loadtest staff, and real ids and words for the simulated users to ask for."""
        Buyer, Order, Sample, Style = (
            apps.get_model(label) for label in ("buyers.Buyer", "orders.Order", "samples.Sample", "samples.Style")
        )
        styles = (
            Style.objects.filter(is_active=True, buyer__is_active=True, size_range__isnull=False)
            .select_related("size_range")
            .prefetch_related("colourways")
            .order_by("?")[:SAMPLE_SIZE]
        )
        styles = [
            {
                "id": style.pk,
                "buyer": style.buyer_id,
                "sizes": style.size_range.sizes,
                "colours": [colourway.name for colourway in style.colourways.all()],
            }
            for style in styles
        ]
        styles = [style for style in styles if style["colours"]]
        if not styles:
            raise CommandError("No active style with a size range and colourways to order: is the data set built?")
        buyers = sorted({style["buyer"] for style in styles})
        return {
            "tokens": self._tokens(tokens),
            "buyers": buyers,
            "styles": styles,
            "orders": self._sample_ids(Order),
            "samples": self._sample_ids(Sample),
            "order_numbers": [number[:-2] for number in Order.objects.values_list("number", flat=True)[:200]],
            "style_words": sorted({name.split()[0] for name in Style.objects.values_list("name", flat=True)[:500]}),
            "buyer_words": sorted({name.split()[0] for name in Buyer.objects.values_list("name", flat=True)[:500]}),
        }

    @staticmethod
    def _sample_ids(model) -> list[int]:
        """About SAMPLE_SIZE ids spread over the whole table (TABLESAMPLE: no full scan)."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            rows = cursor.fetchone()[0] or 1
            share = min(100.0, 100.0 * SAMPLE_SIZE / rows)
            cursor.execute(f"SELECT id FROM {table} TABLESAMPLE SYSTEM (%s) LIMIT %s", [share, SAMPLE_SIZE])
            return [row[0] for row in cursor.fetchall()]

    @staticmethod
    def _tokens(count: int) -> list[str]:
        """Staff accounts loadtest-0001... with their roles, each with an API token (made once, reused)."""
        User = get_user_model()
        groups = [Group.objects.get(name=role) for role in ROLES]
        tokens = []
        for number in range(1, count + 1):
            user, created = User.objects.get_or_create(username=f"loadtest-{number:04d}", defaults={"is_staff": True})
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(*groups)
            tokens.append(Token.objects.get_or_create(user=user)[0].key)
        return tokens

    # --- the run ------------------------------------------------------------------------

    def _locust(self, options: dict, label: str, fixture: Path, output: Path) -> None:
        env = {**os.environ, "LOADTEST_FIXTURE": str(fixture)}
        command = [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
            "--host", f"http://127.0.0.1:{options['port']}", "--csv", str(output / label),
            "--loglevel", "WARNING", "--stop-timeout", "10",
        ]  # fmt: skip
        if options["step"]:
            env |= {
                "LOADTEST_STEP_USERS": str(options["step"]),
                "LOADTEST_STEP_SECONDS": str(options["step_seconds"]),
                "LOADTEST_MAX_USERS": str(options["max_users"]),
                "LOADTEST_STEP_P95_MS": str(options["p95_limit"]),
                "LOADTEST_SPAWN_RATE": str(options["spawn_rate"]),
                "LOADTEST_STEP_REPORT": str(output / f"{label}-steps.json"),
            }
        else:
            ramp = options["users"] / options["spawn_rate"]
            command += [
                "--users", str(options["users"]), "--spawn-rate", str(options["spawn_rate"]),
                "--run-time", f"{int(ramp + options['duration'])}s", "--reset-stats",
            ]  # fmt: skip
        self.stdout.write(f"Running Locust ({label})...")
        subprocess.run(command, env=env, check=False)  # Locust exits 1 when any request failed: reported below

    # --- the report ---------------------------------------------------------------------

    def _report(self, options: dict, label: str, output: Path, started: datetime, peak_connections: int) -> dict:
        with open(output / f"{label}_stats.csv", newline="") as file:
            rows = list(csv.DictReader(file))
        endpoints = [
            {
                "name": row["Name"],
                "method": row["Type"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "rps": round(float(row["Requests/s"]), 1),
            }
            for row in rows
        ]
        total = next(endpoint for endpoint in endpoints if endpoint["name"] == "Aggregated")
        report = {
            "label": label,
            "started_at": started.isoformat(timespec="seconds"),
            "users": None if options["step"] else options["users"],
            "duration_s": None if options["step"] else options["duration"],
            "gunicorn": {"workers": gunicorn_config.workers, "threads": gunicorn_config.threads},
            "pool_max_per_worker": settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"],
            "peak_db_connections": peak_connections,
            "error_rate": round(total["failures"] / total["requests"], 4) if total["requests"] else None,
            "total": total,
            "endpoints": [endpoint for endpoint in endpoints if endpoint["name"] != "Aggregated"],
        }
        if options["step"]:
            report["steps"] = json.loads((output / f"{label}-steps.json").read_text())
        return report

    @staticmethod
    def _markdown(report: dict) -> str:
        total, gunicorn = report["total"], report["gunicorn"]
        if "steps" in report:
            steps = report["steps"]
            rows = [
                f"| {step['users']} | {step['p95_ms']:.0f} | {step['failures']} | {step['rps']:.0f} "
                f"| {'yes' if step['passed'] else '**no**'} |"
                for step in steps["steps"]
            ]
            return "\n".join(
                [
                    f"Step mode, started {report['started_at']}: capacity **{steps['capacity_users']} users** "
                    f"(the last step whose p95 stayed within the limit with no errors). gunicorn "
                    f"{gunicorn['workers']} workers x {gunicorn['threads']} threads; "
                    f"peak PostgreSQL connections {report['peak_db_connections']}.",
                    "",
                    "| Users | p95 ms (last 10 s) | Errors | Requests/s | Held |",
                    "|---|---|---|---|---|",
                    *rows,
                ]
            )
        rows = [
            f"| {e['name']} | {e['requests']:,} | {e['failures']} | {e['p50_ms']:.0f} | {e['p95_ms']:.0f} "
            f"| {e['p99_ms']:.0f} | {e['rps']} |"
            for e in sorted(report["endpoints"], key=lambda e: -e["requests"])
        ]
        return "\n".join(
            [
                f"{report['users']} users for {report['duration_s']} s after ramp-up, started {report['started_at']}: "
                f"{total['rps']} requests/s, p50 {total['p50_ms']:.0f} ms, p95 {total['p95_ms']:.0f} ms, "
                f"p99 {total['p99_ms']:.0f} ms, error rate {report['error_rate']:.2%}. gunicorn {gunicorn['workers']} "
                f"workers x {gunicorn['threads']} threads, pool max {report['pool_max_per_worker']} per worker; "
                f"peak PostgreSQL connections {report['peak_db_connections']}.",
                "",
                "| Endpoint | Requests | Errors | p50 ms | p95 ms | p99 ms | Requests/s |",
                "|---|---|---|---|---|---|---|",
                *rows,
                f"| **all** | {total['requests']:,} | {total['failures']} | {total['p50_ms']:.0f} "
                f"| {total['p95_ms']:.0f} | {total['p99_ms']:.0f} | {total['rps']} |",
            ]
        )


class Gunicorn:
    """The app under gunicorn with production settings on 127.0.0.1, for the length of a `with` block."""

    application_name = "threadline-loadtest"

    def __init__(self, *, port: int, log: Path):
        self.port, self.log = port, log

    def __enter__(self):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "erp.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "DB_APPLICATION_NAME": self.application_name,
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        }
        call_command("collectstatic", interactive=False, verbosity=0)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:erp.gunicorn", "erp.wsgi"],
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CommandError(f"gunicorn exited; see {self.log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health/ready", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise CommandError(f"gunicorn did not become ready in {timeout:.0f} s; see {self.log}")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)


class ConnectionSampler(threading.Thread):
    """Counts the app's PostgreSQL connections (by application_name) twice a second; keeps the peak."""

    def __init__(self, *, application_name: str):
        super().__init__(daemon=True)
        self.application_name, self.peak = application_name, 0
        self._stop_event = threading.Event()

    def run(self):
        from django.db import connections

        with connections["default"].cursor() as cursor:
            while not self._stop_event.wait(0.5):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [self.application_name]
                )
                self.peak = max(self.peak, cursor.fetchone()[0])
        connections["default"].close()

    def stop(self):
        self._stop_event.set()
        self.join()
