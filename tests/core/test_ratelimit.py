import copy
import logging

import django_ratelimit.core
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.core.ratelimit import RateLimitMiddleware, client_ip
from tests.core.factories import JobFactory
from tests.factories import UserFactory
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token/"
BUYERS = "/api/v1/buyers/"
PASSWORD = "s3cret-pass!"  # UserFactory's


class Clock:
    """Stands in for the time module in django-ratelimit, whose windows are fixed minutes: a real clock
    crossing a window's end mid-test would start the count again."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(django_ratelimit.core, "time", clock)
    return clock


@pytest.fixture(autouse=True)
def limits(settings):
    """The production defaults, set here so a test never depends on what erp/settings/test.py says."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_LOGIN_IP = "10/m"
    settings.RATELIMIT_LOGIN_USERNAME = "5/m"
    settings.RATELIMIT_API_USER = "600/m"
    settings.RATELIMIT_API_ANON = "60/m"
    settings.RATELIMIT_EXPENSIVE = "20/m"
    settings.RATELIMIT_PROXY_COUNT = 0
    return settings


@pytest.fixture
def redis_down(settings):
    """The cache pointed at a closed port, as when Redis is down (as in test_health.py)."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = "redis://127.0.0.1:1/0"
    settings.CACHES = caches


def admin_login(client, username, password, ip):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip)


def headers(response) -> tuple[int, int, int]:
    return tuple(int(response[f"X-RateLimit-{name}"]) for name in ("Limit", "Remaining", "Reset"))


# --- logins -------------------------------------------------------------------------------


def test_login_11th_attempt_in_a_minute_from_one_address_is_429_while_another_address_logs_in(client, clock):
    UserFactory(username="boss", is_staff=True)
    for attempt in range(10):
        response = admin_login(client, f"guess{attempt}", "wrong", "10.0.0.1")
        assert response.status_code == 200 and b"Please enter the correct" in response.content

    refused = admin_login(client, "boss", PASSWORD, "10.0.0.1")  # the right password does not help
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert b"Too many failed logins" in refused.content

    other = admin_login(Client(), "boss", PASSWORD, "10.0.0.2")
    assert (other.status_code, other["Location"]) == (302, "/admin/")

    # Every login form shares the count; the next window starts afresh.
    assert (
        client.post("/api/auth/login/", {"username": "boss", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1").status_code
        == 429
    )
    clock.advance(int(refused["Retry-After"]))
    assert admin_login(client, "boss", PASSWORD, "10.0.0.1").status_code == 302


def test_login_successes_do_not_count(client):
    """An office behind one address: its staff signing in one after another are never refused."""
    UserFactory(username="boss", is_staff=True)
    for _ in range(15):
        assert admin_login(Client(), "boss", PASSWORD, "10.0.0.1").status_code == 302


def test_login_token_endpoint_refuses_in_the_error_shape_with_retry_after(api_client):
    UserFactory(username="scripter")
    for attempt in range(10):
        response = api_client.post(TOKEN, {"username": f"guess{attempt}", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
        assert_error_shape(response, 400, "invalid")

    refused = api_client.post(TOKEN, {"username": "scripter", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")

    error = assert_error_shape(refused, 429, "throttled")
    assert error["message"] == f"Too many failed logins. Try again in {refused['Retry-After']} seconds."
    assert (
        APIClient().post(TOKEN, {"username": "scripter", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2").json()["token"]
    )


def test_login_per_username_limit_holds_across_addresses(api_client):
    UserFactory(username="boss", is_staff=True)
    for attempt in range(5):  # one guess from each of five addresses, as a botnet would
        response = api_client.post(TOKEN, {"username": "boss", "password": "wrong"}, REMOTE_ADDR=f"10.0.1.{attempt}")
        assert response.status_code == 400

    assert_error_shape(
        api_client.post(TOKEN, {"username": "Boss ", "password": PASSWORD}, REMOTE_ADDR="10.0.2.1"), 429, "throttled"
    )
    assert admin_login(Client(), "BOSS", PASSWORD, "10.0.2.2").status_code == 429  # case and form do not matter
    UserFactory(username="someone")
    assert (
        api_client.post(TOKEN, {"username": "someone", "password": PASSWORD}, REMOTE_ADDR="10.0.1.0").status_code == 200
    )


# --- API ----------------------------------------------------------------------------------


def test_api_limit_headers_count_down_for_session_and_token_alike(client_for):
    client = client_for("viewer")
    seen = [headers(client.get(BUYERS)) for _ in range(3)]
    assert [(limit, remaining) for limit, remaining, _ in seen] == [(600, 599), (600, 598), (600, 597)]
    assert all(1 <= reset <= 60 for _, _, reset in seen)

    # The same user with a token draws on the same count.
    user = client.get(BUYERS).wsgi_request.user
    token_client = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert headers(token_client.get(BUYERS))[1] == 595


def test_api_over_the_user_limit_is_429_in_the_error_shape_for_that_user_only(limits, client_for, clock):
    limits.RATELIMIT_API_USER = "3/m"
    client = client_for("viewer")
    assert [client.get(BUYERS).status_code for _ in range(3)] == [200, 200, 200]

    refused = client.get(BUYERS)

    assert_error_shape(refused, 429, "throttled")
    assert headers(refused)[:2] == (3, 0)
    assert refused["Retry-After"] == refused["X-RateLimit-Reset"]
    assert client_for("viewer").get(BUYERS).status_code == 200  # another user is not affected
    clock.advance(int(refused["Retry-After"]))
    assert client.get(BUYERS).status_code == 200


def test_api_anonymous_calls_are_limited_per_address(limits, api_client):
    limits.RATELIMIT_API_ANON = "2/m"
    first, second = (api_client.get(BUYERS, REMOTE_ADDR="10.0.0.1") for _ in range(2))
    assert_error_shape(first, 401, "not_authenticated")
    assert [headers(response)[:2] for response in (first, second)] == [(2, 1), (2, 0)]

    refused = api_client.get(BUYERS, REMOTE_ADDR="10.0.0.1")

    assert_error_shape(refused, 429, "throttled")
    assert int(refused["Retry-After"]) >= 1
    assert api_client.get(BUYERS, REMOTE_ADDR="10.0.0.2").status_code == 401


def test_api_expensive_endpoints_have_the_lower_limit(limits, client_for):
    limits.RATELIMIT_EXPENSIVE = "2/m"
    client = client_for("warehouse")
    report = "/api/v1/reports/below_reorder_level/"
    assert [headers(client.get(report))[:2] for _ in range(2)] == [(2, 1), (2, 0)]
    assert_error_shape(client.get(report), 429, "throttled")
    assert_error_shape(client.post(f"{report.rstrip('/')}/run/", {"file_format": "csv"}), 429, "throttled")

    listing = client.get("/api/v1/reports/")  # the list of reports is an ordinary call
    assert listing.status_code == 200 and headers(listing)[:2] == (600, 599)


def test_api_job_download_is_expensive_and_the_job_list_is_not(limits, api_client):
    limits.RATELIMIT_EXPENSIVE = "2/m"
    job = JobFactory(with_file=True)
    api_client.force_login(job.requested_by)

    assert headers(api_client.get(f"/api/v1/jobs/{job.pk}/download/"))[:2] == (2, 1)
    assert headers(api_client.get("/api/v1/jobs/"))[:2] == (600, 599)


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/metrics"])
def test_health_and_metrics_are_never_limited(limits, client, path):
    limits.RATELIMIT_API_ANON = "1/m"
    limits.RATELIMIT_API_USER = "1/m"
    for _ in range(5):
        response = client.get(path)
        assert response.status_code != 429
        assert "X-RateLimit-Limit" not in response


def test_rate_limiting_switched_off_adds_no_headers_and_refuses_nothing(limits, client_for):
    limits.RATELIMIT_ENABLE = False
    limits.RATELIMIT_API_USER = "1/m"
    client = client_for("viewer")
    responses = [client.get(BUYERS) for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 200]
    assert "X-RateLimit-Limit" not in responses[-1]


# --- Redis down ---------------------------------------------------------------------------


def test_redis_down_api_calls_go_on_unlimited_and_it_is_logged(limits, client_for, redis_down, caplog):
    limits.RATELIMIT_API_USER = "1/m"
    client = client_for("viewer")
    with caplog.at_level(logging.WARNING, logger="apps.core.ratelimit"):
        responses = [client.get(BUYERS) for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert "X-RateLimit-Limit" not in responses[-1]
    assert "Rate limit api:api not enforced: the cache (Redis) did not answer." in caplog.messages


def test_redis_down_logins_go_on_unlimited_and_it_is_logged(limits, client, api_client, redis_down, caplog):
    limits.RATELIMIT_LOGIN_IP = "1/m"
    limits.RATELIMIT_LOGIN_USERNAME = "1/m"
    limits.RATELIMIT_API_ANON = "1/m"
    UserFactory(username="boss", is_staff=True)
    with caplog.at_level(logging.WARNING, logger="apps.core.ratelimit"):
        failed = [admin_login(client, "boss", "wrong", "10.0.0.1").status_code for _ in range(3)]

    assert failed == [200, 200, 200]
    assert admin_login(client, "boss", PASSWORD, "10.0.0.1").status_code == 302
    assert api_client.post(TOKEN, {"username": "boss", "password": PASSWORD}).status_code == 200
    assert "Rate limit login:ip not enforced: the cache (Redis) did not answer." in caplog.messages


# --- client address and configuration ---------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy: the header is the client's say-so
        (1, "203.0.113.9", "203.0.113.9"),  # what our proxy saw
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the left entry is the client's, ignored
        (2, "198.51.100.1, 203.0.113.9, 10.1.1.1", "203.0.113.9"),  # load balancer, then nginx
        (2, "203.0.113.9", "10.0.0.1"),  # fewer hops than proxies: it did not come through them
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(limits, proxies, forwarded_for, expected):
    limits.RATELIMIT_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


def test_login_limit_behind_a_proxy_counts_each_forwarded_address(limits, client):
    limits.RATELIMIT_PROXY_COUNT = 1
    limits.RATELIMIT_LOGIN_IP = "2/m"
    UserFactory(username="boss", is_staff=True)
    proxied = {"REMOTE_ADDR": "10.9.9.9"}
    for attempt in range(2):
        client.post(
            ADMIN_LOGIN, {"username": f"g{attempt}", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxied
        )

    data = {"username": "boss", "password": PASSWORD}
    assert client.post(ADMIN_LOGIN, data, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxied).status_code == 429
    assert client.post(ADMIN_LOGIN, data, HTTP_X_FORWARDED_FOR="203.0.113.10", **proxied).status_code == 302


def test_a_malformed_rate_stops_start_up(limits):
    limits.RATELIMIT_API_USER = "lots"
    with pytest.raises(ImproperlyConfigured, match="RATELIMIT_API_USER must be a rate"):
        RateLimitMiddleware(lambda request: None)
