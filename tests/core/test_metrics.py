"""/metrics: who may read it, and what it reports, against the real PostgreSQL, Redis and broker."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from ipaddress import ip_network
from urllib.error import HTTPError

import pytest
from celery import current_app
from django.conf import settings
from kombu import Exchange, Queue
from prometheus_client.parser import text_string_to_metric_families

from apps.core import cache as view_cache
from apps.core.jobs import start_job
from erp.celery import app
from tests.buyers.factories import BuyerFactory
from tests.core.job_tasks import needs_input
from tests.factories import UserFactory
from tests.worker import _test_database_url

pytestmark = pytest.mark.django_db

OUTSIDE = "203.0.113.9"  # TEST-NET-3: never one of ours
TOKEN = "metrics-token-for-tests-0123456789abcdef"


def scrape(client, **extra) -> dict:
    """Every sample of an allowed scrape, keyed by (name, sorted labels)."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content[:500]
    families = text_string_to_metric_families(response.content.decode())
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value for f in families for sample in f.samples}


def value(samples: dict, name: str, **labels) -> float | None:
    """The sample's value; None if the scrape did not have it."""
    return samples.get((name, tuple(sorted(labels.items()))))


def grew(before: dict, after: dict, name: str, **labels) -> float:
    """How much a counter grew between two scrapes (absent counts as 0)."""
    return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)


# --- Who may read it -------------------------------------------------------------------------


def test_metrics_refuses_an_outside_caller(client):
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_X_REQUEST_ID="req-metrics")
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "status": 403,
            "code": "permission_denied",
            "message": "Metrics are not served to this caller.",
            "request_id": "req-metrics",
        }
    }
    assert b"django_http" not in response.content


def test_metrics_serves_an_allowed_address_without_login_and_never_cached(client):
    response = client.get("/metrics")  # the test client calls from 127.0.0.1, allowed by default
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert b"# TYPE django_http_requests_latency_seconds_by_view_method histogram" in response.content

    openmetrics = client.get("/metrics", HTTP_ACCEPT="application/openmetrics-text; version=1.0.0")
    assert openmetrics["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert openmetrics.content.endswith(b"# EOF\n")


def test_metrics_allows_configured_networks_only(client, settings):
    settings.METRICS_ALLOWED_IPS = [ip_network("10.0.0.0/8"), ip_network("2001:db8::/32")]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:10.20.30.40").status_code == 200  # a dual-stack listener
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403  # no longer listed
    assert client.get("/metrics", REMOTE_ADDR="11.0.0.1").status_code == 403


def test_metrics_refuses_an_allowed_address_that_relays_for_someone_else(client):
    """A proxy on an allowed address (a local nginx, a load balancer) must not open /metrics to everyone."""
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR=OUTSIDE).status_code == 403
    assert client.get("/metrics", HTTP_FORWARDED=f"for={OUTSIDE}").status_code == 403


def test_metrics_accepts_the_token_from_outside(client, settings):
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert b"threadline_db_pool_size" in response.content


@pytest.mark.parametrize(
    ("configured", "header"),
    [
        (TOKEN, "Bearer wrong-token"),
        (TOKEN, f"Bearer {TOKEN}x"),
        (TOKEN, f"Token {TOKEN}"),  # the API's scheme, not this one
        (TOKEN, ""),
        ("", "Bearer "),  # no token configured: an empty one is no key
    ],
)
def test_metrics_refuses_a_wrong_or_missing_token(client, settings, configured, header):
    settings.METRICS_TOKEN = configured
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=header).status_code == 403


def test_malformed_allowed_addresses_stop_the_start():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "erp.settings.test", "METRICS_ALLOWED_IPS": "10.0.0.0/8,intranet"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "ImproperlyConfigured: METRICS_ALLOWED_IPS" in result.stderr and "intranet" in result.stderr


# --- What it reports -------------------------------------------------------------------------


def test_metrics_report_latency_per_view_and_responses_by_status(client):
    before = scrape(client)
    client.get("/health/live")
    client.get("/api/v1/buyers/")  # anonymous: 401
    after = scrape(client)

    latency = "django_http_requests_latency_seconds_by_view_method_count"
    assert grew(before, after, latency, view="health-live", method="GET") == 1
    responses = "django_http_responses_total_by_status_view_method_total"
    assert grew(before, after, responses, view="health-live", method="GET", status="200") == 1
    assert grew(before, after, responses, view="buyer-list", method="GET", status="401") == 1
    queries = "django_db_execute_total"  # the database engine counts queries
    assert value(after, queries, alias="default", vendor="postgresql") > 0


def test_metrics_report_the_database_pool(client):
    BuyerFactory()  # a query, so the pool is open
    samples = scrape(client)
    pool = settings.DATABASES["default"]["OPTIONS"]["pool"]
    assert value(samples, "threadline_db_pool_min_size", alias="default") == pool["min_size"]
    assert value(samples, "threadline_db_pool_max_size", alias="default") == pool["max_size"]
    size = value(samples, "threadline_db_pool_size", alias="default")
    in_use = value(samples, "threadline_db_pool_in_use", alias="default")
    assert 1 <= size <= pool["max_size"]
    assert in_use >= 1  # this test's own connection is out of the pool
    assert in_use + value(samples, "threadline_db_pool_available", alias="default") == size
    assert value(samples, "threadline_db_pool_requests_waiting", alias="default") == 0
    assert value(samples, "threadline_db_pool_requests_total", alias="default") >= 1
    assert value(samples, "threadline_scrape_collector_success", collector="db_pool") == 1


def test_metrics_count_cache_hits_and_misses_and_the_view_cache_still_counts(client, client_for):
    BuyerFactory()
    viewer = client_for("viewer")
    viewer.get("/api/v1/buyers/")  # warms the session and permission caches
    view_cache.clear()
    before = scrape(client)
    assert viewer.get("/api/v1/buyers/")["X-Cache"] == "miss"
    assert viewer.get("/api/v1/buyers/")["X-Cache"] == "hit"
    after = scrape(client)

    assert grew(before, after, "django_cache_get_hits_total", backend="redis") >= 1
    assert grew(before, after, "django_cache_get_misses_total", backend="redis") >= 1
    assert view_cache.stats() == {"buyers:hit": 1, "buyers:miss": 1}  # apps/core/cache.py's own counters


@pytest.fixture
def extra_queue(settings):
    """A queue routed like the real ones that no test worker listens on; emptied and removed afterwards."""
    queue = f"metrics-test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_ROUTES = {**settings.CELERY_TASK_ROUTES, "tests.metrics_probe": {"queue": queue}}
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False  # messages go to the broker
    yield queue
    app.conf.task_always_eager = eager
    with app.connection_for_write() as connection:  # declared here, so this channel knows what to delete
        declared = Queue(queue, Exchange(queue), routing_key=queue)(connection.default_channel)
        declared.declare()
        declared.delete()


def test_metrics_report_each_celery_queue_length_from_the_broker(client, extra_queue):
    samples = scrape(client)
    for queue in ("critical", "high", "default", "low", extra_queue):
        assert value(samples, "threadline_celery_queue_length", queue=queue) is not None, queue
    assert value(samples, "threadline_celery_queue_length", queue=extra_queue) == 0

    app.send_task("tests.metrics_probe", queue=extra_queue)
    app.send_task("tests.metrics_probe", queue=extra_queue, priority=5)  # its own list on Redis
    app.send_task("tests.metrics_probe", queue=extra_queue)
    samples = scrape(client)
    assert value(samples, "threadline_celery_queue_length", queue=extra_queue) == 3
    assert value(samples, "threadline_scrape_collector_success", collector="celery_queues") == 1


def test_metrics_answer_quickly_when_the_broker_is_down(client, monkeypatch):
    monkeypatch.setattr(current_app.conf, "broker_url", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    start = time.monotonic()
    samples = scrape(client)
    assert time.monotonic() - start < 5
    assert value(samples, "threadline_scrape_collector_success", collector="celery_queues") == 0
    assert not any(name == "threadline_celery_queue_length" for name, _ in samples)
    assert value(samples, "threadline_scrape_collector_success", collector="jobs") == 1  # the rest still reported


def test_metrics_report_job_failures(client, django_capture_on_commit_callbacks):
    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=True):  # tasks run inline here
        job = start_job(needs_input, title="Needs input", user=UserFactory(), flag="metrics-missing-flag")
    job.refresh_from_db()
    assert job.status == "failed"
    after = scrape(client)

    assert grew(before, after, "threadline_job_failures_total", task="tests.needs_input") == 1
    assert value(after, "threadline_jobs", status="failed") == 1
    assert value(after, "threadline_jobs", status="queued") == 0
    assert value(after, "threadline_scrape_collector_success", collector="jobs") == 1


# --- Several gunicorn workers ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, error.read().decode()


def test_gunicorn_workers_are_summed_in_multiprocess_mode(tmp_path):
    """Two gunicorn workers share PROMETHEUS_MULTIPROC_DIR: every request counts, whichever worker served it."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    (directory / "counter_999999.db").write_bytes(b"left over from an earlier run")
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "erp.settings.test",
        "DATABASE_URL": _test_database_url(),
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_KEEPALIVE": "0",
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "python:erp.gunicorn", "erp.wsgi"]
    server = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(f"http://127.0.0.1:{port}/health/live")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        assert not (directory / "counter_999999.db").exists()  # on_starting emptied the directory
        for _ in range(19):
            _get(f"http://127.0.0.1:{port}/health/live")
        status, body = _get(f"http://127.0.0.1:{port}/metrics")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert status == 200, body[:500]
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }
    labels = {"view": "health-live", "method": "GET", "transport": "http"}
    assert value(samples, "django_http_requests_total_by_view_transport_method_total", **labels) == 20
    assert len(list(directory.glob("counter_*.db"))) >= 1
    assert value(samples, "threadline_scrape_collector_success", collector="jobs") == 1
