"""Liveness and readiness probes for load balancers and orchestrators."""

import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .replica import REPLICA, replica_lag

# Checks run side by side, each bounded, so a hung dependency cannot hang the probe.
_executor = ThreadPoolExecutor(max_workers=12, thread_name_prefix="health")


def _check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # this thread's connection goes back to the pool


def _check_cache() -> None:
    # The raw client: the cache backend itself swallows Redis errors by design.
    cache.client.get_client(write=True).ping()


def _check_broker() -> None:
    with current_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=settings.HEALTH_CHECK_TIMEOUT)


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


def _replica_state() -> dict:
    """Reported, never failing readiness: without the replica, reads go to the primary."""
    try:
        lag = replica_lag()
    finally:
        connection.close()
    return {"up": lag is not None, "lag_seconds": lag, "max_lag_seconds": settings.REPLICA_MAX_LAG_SECONDS}


def _timed(check) -> float:
    start = time.perf_counter()
    check()
    return round((time.perf_counter() - start) * 1000, 1)


@never_cache
def live(request):
    """The process answers: nothing else is checked."""
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request):
    """Database, cache and broker each answer within the timeout; 503 names what failed."""
    timeout = settings.HEALTH_CHECK_TIMEOUT
    deadline = time.monotonic() + timeout
    futures = {name: _executor.submit(_timed, check) for name, check in CHECKS.items()}
    replica = _executor.submit(_replica_state) if REPLICA in settings.DATABASES else None
    checks = {}
    for name, future in futures.items():
        try:
            checks[name] = {"ok": True, "ms": future.result(timeout=max(0.0, deadline - time.monotonic()))}
        except FutureTimeout:
            checks[name] = {"ok": False, "error": f"no answer within {timeout}s"}
        except Exception as exc:  # any failure makes the part unready
            checks[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    failed = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "unavailable" if failed else "ok", "failed": failed, "checks": checks}
    if REPLICA in settings.DATABASES:
        try:
            body["replica"] = replica.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            body["replica"] = {"up": False, "error": f"no answer within {timeout}s"}
        except Exception as exc:  # the primary's side of the check failed: the database check says so
            body["replica"] = {"up": False, "error": f"{type(exc).__name__}: {exc}"}
    return JsonResponse(body, status=503 if failed else 200)
