import copy
import json
import os
import subprocess
import sys

import pytest
from celery import current_app
from django.conf import settings
from django.core.cache import cache

from tests.buyers.factories import BuyerFactory

pytestmark = pytest.mark.django_db

CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_down(settings):
    """The cache pointed at a closed port, as when Redis is down."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = CLOSED_PORT_URL
    settings.CACHES = caches  # Django's test signals rebuild the cache handler


def test_live_checks_nothing_and_answers(client):
    response = client.get("/health/live")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_ready_when_every_dependency_answers(client):
    response = client.get("/health/ready")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok" and body["failed"] == []
    assert set(body["checks"]) == {"database", "cache", "broker"}


def test_ready_is_503_naming_the_cache_when_redis_is_down(client, redis_down):
    response = client.get("/health/ready")
    body = response.json()
    assert response.status_code == 503
    assert body["failed"] == ["cache"]
    assert "Connection refused" in body["checks"]["cache"]["error"]


def test_buyer_reads_still_succeed_when_redis_is_down(client_for, redis_down):
    BuyerFactory(code="STILL01")
    client = client_for("viewer")  # a session login: sessions go through the cache first
    response = client.get("/api/v1/buyers/")
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["STILL01"]
    assert cache.get("anything") is None  # the cache answers "miss", it does not raise


def test_ready_is_503_naming_the_broker_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(current_app.conf, "broker_url", CLOSED_PORT_URL)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]


def test_database_outage_gives_503s_not_hangs():
    """A separate process whose DATABASE_URL points at a closed port: probe and API both answer 503 quickly."""
    script = """
import json, time
from django.test import Client
client = Client(HTTP_HOST="localhost")
start = time.monotonic()
ready = client.get("/health/ready")
api = client.get("/api/v1/buyers/", HTTP_AUTHORIZATION="Token abc")
print(json.dumps({"ready": [ready.status_code, ready.json()["failed"]],
                  "api": [api.status_code, api.json()["error"]["code"], api["Retry-After"]],
                  "seconds": time.monotonic() - start}))
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "erp.settings.test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/threadline",
        "REDIS_URL": settings.REDIS_URL,
        "DB_POOL_TIMEOUT": "1",
        "DB_CONNECT_TIMEOUT": "1",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["ready"] == [503, ["database"]]
    assert outcome["api"] == [503, "service_unavailable", "5"]
    assert outcome["seconds"] < 20  # bounded by the pool and probe timeouts, not a hang
