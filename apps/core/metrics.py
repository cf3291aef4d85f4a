"""Prometheus metrics at /metrics, for scrapers on an allowed address or holding the token.

django-prometheus records requests as they run: latency per view, responses by status,
queries, and cache gets, hits and misses (its middleware, database engine and cache
backend). At scrape time this module adds what is read rather than counted: the psycopg
pool of this process, the length of each Celery queue on the broker, and the jobs per
status in the database. Each read is bounded, so a dependency that is down costs a scrape
a short timeout and a `threadline_scrape_collector_success` of 0, never a hang.

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR: counters and histograms of
every worker are then summed from that directory (erp/gunicorn.py empties it on start and
drops a dead worker's gauges).
"""

import hmac
import ipaddress
import logging
import os
import time
from functools import lru_cache

import prometheus_client
import redis
from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu.transport.redis import PRIORITY_STEPS, Channel
from prometheus_client import CollectorRegistry, Counter, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from redis.backoff import NoBackoff
from redis.retry import Retry

from .errors import error_body
from .models import Job

logger = logging.getLogger(__name__)

job_failures = Counter(
    "threadline_job_failures",
    "Jobs that failed for good, by task, counted in the process that saw it (a worker, or web for unqueued jobs).",
    ["task"],
)

# psycopg_pool get_stats() keys: the pool's state now, then its counters since it was created.
_POOL_GAUGES = {
    "pool_min": ("threadline_db_pool_min_size", "Connections the pool keeps open at least."),
    "pool_max": ("threadline_db_pool_max_size", "Connections the pool opens at most."),
    "pool_size": ("threadline_db_pool_size", "Connections open now (in use, idle or being opened)."),
    "pool_available": ("threadline_db_pool_available", "Idle connections ready to hand out."),
    "requests_waiting": ("threadline_db_pool_requests_waiting", "Requests waiting for a connection now."),
}
_POOL_COUNTERS = {
    "requests_num": ("threadline_db_pool_requests", "Connections asked of the pool."),
    "requests_queued": ("threadline_db_pool_requests_queued", "Requests that had to wait for a connection."),
    "requests_errors": ("threadline_db_pool_requests_errors", "Requests that got no connection in time."),
    "connections_num": ("threadline_db_pool_connections_opened", "Connections the pool opened."),
    "connections_errors": ("threadline_db_pool_connections_errors", "Connection attempts that failed."),
    "connections_lost": ("threadline_db_pool_connections_lost", "Connections found broken and dropped."),
}


def read_pool() -> list:
    """The psycopg pool of each database alias in this process; read from memory, no connection is opened."""
    gauges = {key: GaugeMetricFamily(name, text, labels=["alias"]) for key, (name, text) in _POOL_GAUGES.items()}
    counters = {key: CounterMetricFamily(name, text, labels=["alias"]) for key, (name, text) in _POOL_COUNTERS.items()}
    in_use = GaugeMetricFamily("threadline_db_pool_in_use", "Connections handed out now.", labels=["alias"])
    wait = CounterMetricFamily(
        "threadline_db_pool_wait_seconds", "Time requests spent waiting for a connection.", labels=["alias"]
    )
    for connection in connections.all():
        pool = getattr(connection, "pool", None)  # None: not PostgreSQL, or no pool configured
        if pool is None:
            continue
        stats = pool.get_stats()
        for key, family in (*gauges.items(), *counters.items()):
            family.add_metric([connection.alias], stats.get(key, 0))
        in_use.add_metric([connection.alias], stats.get("pool_size", 0) - stats.get("pool_available", 0))
        wait.add_metric([connection.alias], stats.get("requests_wait_ms", 0) / 1000)
    return [*gauges.values(), in_use, *counters.values(), wait]


def celery_queues() -> list[str]:
    """Every queue a task is routed to, and the default one."""
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return sorted(routed | {settings.CELERY_TASK_DEFAULT_QUEUE})


@lru_cache(maxsize=4)
def _broker_client(url: str, timeout: float) -> redis.Redis:
    # No retries: a broker that is down costs one connect timeout, not several with backoff.
    return redis.Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )


def read_celery_queues() -> list:
    """Messages waiting in each Celery queue, read with LLEN from the Redis broker (one round trip)."""
    url = current_app.conf.broker_read_url or current_app.conf.broker_url
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return []  # another broker: nothing to read this way
    options = current_app.conf.broker_transport_options or {}
    prefix = options.get("global_keyprefix", "")
    steps = options.get("priority_steps", PRIORITY_STEPS)
    queues = celery_queues()
    # Kombu keeps a queue as one Redis list per priority step: `name`, then `name<sep><step>`.
    with _broker_client(url, settings.METRICS_BROKER_TIMEOUT).pipeline(transaction=False) as pipe:
        for queue in queues:
            for step in steps:
                pipe.llen(f"{prefix}{queue}{Channel.sep}{step}" if step else f"{prefix}{queue}")
        sizes = pipe.execute()
    length = GaugeMetricFamily(
        "threadline_celery_queue_length", "Messages waiting in the queue (not yet taken by a worker).", labels=["queue"]
    )
    for index, queue in enumerate(queues):
        length.add_metric([queue], sum(sizes[index * len(steps) : (index + 1) * len(steps)]))
    return [length]


def read_jobs() -> list:
    """Background jobs per status: one grouped count on the (status, created_at) index."""
    counts = dict(Job.objects.order_by().values_list("status").annotate(Count("id")))
    jobs = GaugeMetricFamily("threadline_jobs", "Background jobs in the database, by status.", labels=["status"])
    for status in Job.Status.values:
        jobs.add_metric([status], counts.get(status, 0))
    return [jobs]


# Read at each scrape. A source that is down or too slow makes its reading fail, not the scrape.
READINGS = {"db_pool": read_pool, "celery_queues": read_celery_queues, "jobs": read_jobs}
SOURCE_ERRORS = (DatabaseError, redis.RedisError, OSError)


class _Scrape:
    """What one scrape reports: the recorded metrics, then the readings taken now and how each went."""

    def collect(self):
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # Every worker process writes its counters to files there; this sums them.
            recorded = CollectorRegistry()
            multiprocess.MultiProcessCollector(recorded)
        else:
            recorded = prometheus_client.REGISTRY
        yield from recorded.collect()
        success = GaugeMetricFamily(
            "threadline_scrape_collector_success", "1 if the reading succeeded in this scrape.", labels=["collector"]
        )
        duration = GaugeMetricFamily(
            "threadline_scrape_collector_duration_seconds", "Time the reading took.", labels=["collector"]
        )
        for name, read in READINGS.items():
            start = time.perf_counter()
            try:
                families, ok = read(), True
            except SOURCE_ERRORS as exc:
                logger.warning("Metrics: could not read %s: %s", name, exc)
                families, ok = [], False
            success.add_metric([name], 1 if ok else 0)
            duration.add_metric([name], time.perf_counter() - start)
            yield from families
        yield success
        yield duration


def _bearer_token_matches(request) -> bool:
    expected = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), expected)


def _address_allowed(request) -> bool:
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        # Through a proxy, REMOTE_ADDR is the proxy's address, not the caller's.
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:  # a dual-stack listener reports IPv4 callers so
        address = address.ipv4_mapped
    return any(address in network for network in settings.METRICS_ALLOWED_IPS)


def caller_allowed(request) -> bool:
    """The right bearer token from anywhere, or a direct call from an allowed address."""
    return _bearer_token_matches(request) or _address_allowed(request)


@never_cache
@require_safe
def metrics(request):
    """The Prometheus text format; 403 in the JSON error shape for anyone else."""
    if not caller_allowed(request):
        body = error_body(status_code=403, code="permission_denied", message="Metrics are not served to this caller.")
        return JsonResponse(body, status=403)
    # The format the scraper asks for: Prometheus's text format, or OpenMetrics.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(_Scrape()), content_type=content_type)
