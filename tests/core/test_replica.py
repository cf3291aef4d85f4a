"""Read-replica routing against a real streaming replica (tests/replica.py starts the pair).

Which server ran a statement is asked of that server itself (pg_is_in_recovery() on the same
connection), so a test cannot pass by trusting the router's own answer.
"""

import importlib.util
import json
import socket
import time
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.db import connections, router, transaction
from django.http import JsonResponse
from django.urls import resolve
from rest_framework.test import APIClient

from apps.buyers.models import Buyer
from apps.core.replica import REPLICA, ReplicaRoutingMiddleware, read_from_primary, replica_lag, request_routing
from tests.buyers.factories import BuyerFactory
from tests.factories import UserFactory
from tests.replica import replica_databases_fixture, replica_pair_fixture  # noqa: F401 - fixtures, by their names
from tests.samples.factories import SampleFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),  # the standby sees only commits
    pytest.mark.usefixtures("replica_databases"),
]

URL = "/api/v1/buyers/"
NEW_BUYER = {"code": "ZARA01", "name": "Zara", "country": "ES", "currency": "EUR", "email": "buy@zara.example"}


@pytest.fixture(autouse=True)
def _replica_settings(settings):
    settings.REPLICA_CHECK_INTERVAL = 0  # every request checks the replica, unless a test says otherwise
    settings.REPLICA_MAX_LAG_SECONDS = 60
    settings.REPLICA_STICKY_SECONDS = 10


@pytest.fixture
def paused_replay(replica_pair):
    """The standby stops applying WAL: what the primary writes from now on is missing there."""
    replica_pair.wait_for_replay()
    replica_pair.pause_replay()
    yield replica_pair
    replica_pair.resume_replay()


@pytest.fixture
def stopped_replica(replica_pair):
    replica_pair.stop_replica()
    yield replica_pair
    replica_pair.start_replica()


class _ServerLog:
    """An execute wrapper: for each statement, whether the server that ran it is the standby."""

    def __init__(self):
        self.statements: list[tuple[str, str]] = []

    def __call__(self, execute, sql, params, many, context):
        # A cursor of its own on the same connection, so the statement's results are untouched.
        (in_recovery,) = context["connection"].connection.execute("SELECT pg_is_in_recovery()").fetchone()
        self.statements.append(("replica" if in_recovery else "primary", sql))
        return execute(sql, params, many, context)

    def servers(self, table: str) -> set[str]:
        return {server for server, sql in self.statements if f'"{table}"' in sql}


@contextmanager
def servers_used():
    log = _ServerLog()
    with connections["default"].execute_wrapper(log), connections[REPLICA].execute_wrapper(log):
        yield log


def _superuser_client() -> APIClient:
    client = APIClient()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_replica_serves_api_and_admin_list_reads(replica_pair):
    buyer = BuyerFactory(name="Replicated Buyer")
    SampleFactory(style__buyer=buyer)
    replica_pair.wait_for_replay()
    client = _superuser_client()
    with servers_used() as log:
        samples = client.get("/api/v1/samples/")
        detail = client.get(f"{URL}{buyer.pk}/")
        changelist = client.get("/admin/buyers/buyer/")
    assert [samples.status_code, detail.status_code, changelist.status_code] == [200, 200, 200]
    assert detail.json()["name"] == "Replicated Buyer" and samples.json()["results"][0]["buyer"] == buyer.pk
    assert b"Replicated Buyer" in changelist.content
    assert log.servers("buyers_buyer") == log.servers("samples_sample") == {"replica"}


def test_a_cached_lookup_list_is_built_from_the_primary(replica_pair):
    """What a cache miss builds is served to everyone until the next write: never from a lagging replica."""
    BuyerFactory(name="Replicated Buyer")
    replica_pair.wait_for_replay()
    client = _superuser_client()
    with servers_used() as log:
        built = client.get(URL)
    with servers_used() as cached:
        again = client.get(URL)
    assert built.json() == again.json() and built.json()["results"][0]["name"] == "Replicated Buyer"
    assert log.servers("buyers_buyer") == {"primary"}
    assert cached.servers("buyers_buyer") == set()  # served from the cache


def test_writer_reads_own_write_from_primary_until_sticky_window_ends(paused_replay, settings):
    settings.REPLICA_STICKY_SECONDS = 1
    writer = _superuser_client()
    created = writer.post(URL, NEW_BUYER, format="json")
    assert created.status_code == 201, created.content
    with servers_used() as log:
        read_back = writer.get(f"{URL}{created.json()['id']}/")
    assert read_back.status_code == 200 and read_back.json()["code"] == "ZARA01"
    assert log.servers("buyers_buyer") == {"primary"}

    time.sleep(1.2)  # the window closes: the writer reads the standby again, which has not replayed the write
    with servers_used() as log:
        later = writer.get(f"{URL}{created.json()['id']}/")
    assert later.status_code == 404
    assert log.servers("buyers_buyer") == {"replica"}


def test_another_users_read_right_after_a_write_may_use_the_replica(paused_replay):
    writer, reader = _superuser_client(), _superuser_client()
    created = writer.post(URL, NEW_BUYER, format="json")
    assert created.status_code == 201, created.content
    with servers_used() as log:
        response = reader.get(f"{URL}{created.json()['id']}/")
    assert response.status_code == 404  # the standby is behind; only the writer is promised the new row
    assert log.servers("buyers_buyer") == {"replica"}


def test_write_inside_a_get_keeps_its_user_on_the_primary(rf):
    user, other = UserFactory(), UserFactory()

    def view_that_writes(request):
        before = router.db_for_read(Buyer)
        BuyerFactory()
        return JsonResponse({"before": before, "after": router.db_for_read(Buyer)})

    def view_that_reads(request):
        return JsonResponse({"alias": router.db_for_read(Buyer)})

    def get(view, as_user):
        request = rf.get(URL)
        request.user = as_user
        return json.loads(ReplicaRoutingMiddleware(view)(request).content)

    assert get(view_that_writes, user) == {"before": REPLICA, "after": "default"}
    assert get(view_that_reads, user) == {"alias": "default"}  # the mark is in Redis, seen by every worker
    assert get(view_that_reads, other) == {"alias": REPLICA}


def test_non_request_code_writes_and_transactions_use_the_primary(rf):
    assert router.db_for_read(Buyer) == "default"  # tasks, commands, migrations: no request

    def routed(request, *, user=None):
        request.user = user or AnonymousUser()
        request.resolver_match = resolve(request.path_info)
        return request_routing(request)

    with routed(rf.get(URL)):
        assert router.db_for_read(Buyer) == REPLICA
        assert Buyer.objects.select_for_update().db == "default"
        with transaction.atomic():
            assert router.db_for_read(Buyer) == "default"
        assert router.db_for_read(type(UserFactory.build())) == "default"  # who the caller is: always fresh
        read_from_primary()  # e.g. a response about to be cached for everyone
        assert router.db_for_read(Buyer) == "default"
    with routed(rf.get("/admin/buyers/buyer/")):
        assert router.db_for_read(Buyer) == REPLICA
    for request in (rf.post(URL), rf.get("/admin/buyers/buyer/1/change/"), rf.get("/admin/")):
        with routed(request):
            assert router.db_for_read(Buyer) == "default", request.path_info


def test_lagging_replica_sends_reads_to_the_primary(paused_replay, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 0.5
    buyer = BuyerFactory()  # not replayed on the paused standby
    time.sleep(0.6)
    assert replica_lag() > 0.5
    with servers_used() as log:
        response = _superuser_client().get(f"{URL}{buyer.pk}/")
    assert response.status_code == 200
    assert log.servers("buyers_buyer") == {"primary"}


def test_idle_replica_that_replayed_everything_is_not_lagging(replica_pair, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 0.5
    buyer = BuyerFactory()
    client = _superuser_client()
    replica_pair.wait_for_replay()
    time.sleep(0.6)  # no new transactions: the last replayed one grows old
    assert replica_pair.replica("SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())") > 0.5
    assert replica_lag() == 0
    with servers_used() as log:
        response = client.get(f"{URL}{buyer.pk}/")
    assert response.status_code == 200
    assert log.servers("buyers_buyer") == {"replica"}


def test_replica_is_checked_once_per_interval(settings):
    client = _superuser_client()
    with servers_used() as log:
        client.get("/api/v1/samples/")  # checks now (a list that is not cached: lookup lists read the primary)
        settings.REPLICA_CHECK_INTERVAL = 60
        client.get("/api/v1/samples/?type=fit")
        client.get("/api/v1/samples/?type=proto")
    assert sum("pg_current_wal_lsn" in sql for _, sql in log.statements) == 1


def test_replica_down_reads_answer_from_the_primary_quickly(stopped_replica, settings):
    buyer = BuyerFactory()
    client = _superuser_client()
    started = time.monotonic()
    with servers_used() as log:
        response = client.get(f"{URL}{buyer.pk}/")
    # Not a timing target: far under the minutes a connection to a dead host could hang for.
    assert time.monotonic() - started < 10 * settings.REPLICA_CONNECT_TIMEOUT
    assert response.status_code == 200
    assert log.servers("buyers_buyer") == {"primary"}
    assert replica_lag() is None


def test_readiness_reports_the_replica_without_failing_on_it(replica_pair, api_client):
    replica_pair.wait_for_replay()
    body = api_client.get("/health/ready").json()
    assert body["status"] == "ok"
    assert body["replica"]["up"] is True and body["replica"]["lag_seconds"] == 0

    replica_pair.stop_replica()
    try:
        response = api_client.get("/health/ready")
    finally:
        replica_pair.start_replica()
    assert response.status_code == 200  # reads go to the primary meanwhile
    assert response.json()["replica"]["up"] is False


def test_unanswering_replica_costs_one_connect_timeout(settings):
    buyer = BuyerFactory()
    client = _superuser_client()
    replica = connections[REPLICA].settings_dict
    with socket.create_server(("127.0.0.1", 0)) as silent:  # the kernel accepts connections; nothing answers
        real_port, replica["PORT"] = replica["PORT"], silent.getsockname()[1]
        try:
            started = time.monotonic()
            response = client.get(f"{URL}{buyer.pk}/")
            elapsed = time.monotonic() - started
        finally:
            replica["PORT"] = real_port
    assert response.status_code == 200
    # It waited for the connect timeout once, then answered from the primary; not a timing target,
    # only far from the kernel's minutes-long TCP timeout a hang would take.
    assert settings.REPLICA_CONNECT_TIMEOUT <= elapsed < 10 * settings.REPLICA_CONNECT_TIMEOUT


def test_replica_alias_comes_from_database_replica_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres:@/threadline?host=/var/run/embedded")  # a socket dir
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader:secret@replica.internal:5433/threadline")
    # A fresh copy of the settings module, read with these variables; Django's own settings stay as they are.
    path = django_settings.BASE_DIR / "erp" / "settings" / "base.py"
    spec = importlib.util.spec_from_file_location("erp.settings.base_with_replica", path)
    base = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(base)
    databases = base.DATABASES
    replica, default = databases[REPLICA], databases["default"]
    assert (replica["HOST"], replica["PORT"], replica["USER"]) == ("replica.internal", 5433, "reader")
    assert "host" not in replica["OPTIONS"]  # the primary's socket directory would win over HOST
    assert replica["OPTIONS"]["pool"] == default["OPTIONS"]["pool"]
    assert replica["OPTIONS"]["connect_timeout"] == 2
    assert replica["TEST"] == {"MIRROR": "default"}
