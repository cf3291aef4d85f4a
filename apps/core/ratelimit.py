"""Rate limits, counted by django-ratelimit in the default cache (Redis), so every gunicorn worker and node
shares one count. Each limit is a fixed window ("10/m": at most 10 in a minute) read through
django-ratelimit's `get_usage`, which also gives the numbers for the X-RateLimit-* headers.

- **Failed logins**, per client address (RATELIMIT_LOGIN_IP) and per username from anywhere
  (RATELIMIT_LOGIN_USERNAME). Failures are counted from Django's `user_login_failed` signal, which every login
  path sends (admin, browsable API, token endpoint); once a limit is reached, RateLimitMiddleware answers those
  endpoints 429 before any password is checked. Successful logins do not count, so an office behind one address
  is not locked out by its own Monday-morning logins. (Guesses sent in parallel can pass the check together before
  they are counted: at most as many as the server runs at once, each paying for a password hash.)
- **API calls per user** (RATELIMIT_API_USER; RATELIMIT_EXPENSIVE for the actions a view names in
  `ratelimit_scope`), by ApiRateThrottle, a DRF throttle: it runs after DRF's authentication, so token and
  session users are counted alike; a Django middleware cannot see token users.
- **Anonymous API calls per client address** (RATELIMIT_API_ANON), by RateLimitMiddleware before any work: DRF
  checks permissions before throttles, so a throttle never sees the anonymous callers it refuses with 401.

Only /api/ and the login endpoints are limited: /health/* and /metrics never are. Over a limit: 429 in the one
error shape (an HTML page on the admin and browsable-API login forms) with Retry-After. Don't use django-ratelimit's
@ratelimit decorator: it refuses with 403 and gives no numbers for the headers.

Redis down (RATELIMIT_FAIL_OPEN): nothing is counted, so nothing is refused and no X-RateLimit-* headers are
sent; each count that fails logs a warning. Staff keep working, as with the rest of the cache (DESIGN: a Redis
outage means slower, never down). That includes logins: failed ones are not limited until Redis is back, and
refusing every login instead would lock staff out. What still slows a password guesser then is the password
hasher (a fraction of a second of CPU per attempt) and /health/ready reporting the cache for someone to fix.
"""

import ipaddress
import json
import logging
import re
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, JsonResponse
from django.utils.html import format_html
from django_ratelimit.core import get_usage
from rest_framework import exceptions
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

# The login endpoints by URL name, and how each answers a refusal.
LOGIN_VIEWS = {"api-token": "json", "admin:login": "html", "rest_framework:login": "html"}
# The setting that holds the per-user rate of each scope a view may name in `ratelimit_scope`.
SCOPE_RATES = {"api": "RATELIMIT_API_USER", "expensive": "RATELIMIT_EXPENSIVE"}
RATE_SETTINGS = ("RATELIMIT_LOGIN_IP", "RATELIMIT_LOGIN_USERNAME", "RATELIMIT_API_ANON", *SCOPE_RATES.values())
_RATE = re.compile(r"\d+/\d*[smhd]")  # django-ratelimit's syntax: "10/m", "100/5m"


def client_ip(request) -> str:
    """The caller's address: REMOTE_ADDR, or with RATELIMIT_PROXY_COUNT = n trusted proxies in front (each appending
    the address it saw to X-Forwarded-For), the n-th entry from the right. Entries further left are whatever the
    client sent, so they are never trusted. django-ratelimit reads it through RATELIMIT_IP_META_KEY and counts
    IPv6 callers per /64 network."""
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"  # empty on a unix socket: set RATELIMIT_PROXY_COUNT
    proxies = settings.RATELIMIT_PROXY_COUNT
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:  # fewer: the request did not come through the proxies, REMOTE_ADDR is the caller
            try:
                return str(ipaddress.ip_address(hops[-proxies]))
            except ValueError:
                pass
    return remote


def check_rates() -> None:
    """Refuse to start with a rate django-ratelimit would fail on at the first request."""
    for name in RATE_SETTINGS:
        rate = getattr(settings, name)
        if rate and not _RATE.fullmatch(rate):
            raise ImproperlyConfigured(
                f"{name} must be a rate such as 10/m or 100/5m (or empty for none), not {rate!r}."
            )


def _usage(request, *, group: str, key, rate: str, increment: bool) -> dict | None:
    """This window's count for (group, key); None when the limit is off or Redis is down (logged)."""
    if not settings.RATELIMIT_ENABLE or not rate:
        return None
    usage = get_usage(request, group=group, key=key, rate=rate, increment=increment)
    if usage is None:  # RATELIMIT_FAIL_OPEN: the cache did not answer (a mere read sees a miss, count 0)
        logger.warning("Rate limit %s not enforced: the cache (Redis) did not answer.", group)
    return usage


def _seconds_left(usage: dict) -> int:
    """Seconds until the count starts again: the window's last second still belongs to it."""
    return usage["time_left"] + 1


def _set_headers(response, usage: dict) -> None:
    response["X-RateLimit-Limit"] = str(usage["limit"])
    response["X-RateLimit-Remaining"] = str(max(0, usage["limit"] - usage["count"]))
    response["X-RateLimit-Reset"] = str(_seconds_left(usage))  # seconds, like Retry-After


def _too_many(seconds: int, *, html: bool = False, message: str | None = None) -> HttpResponse:
    """429 with Retry-After: in the error shape, or a plain page for an HTML form."""
    from .errors import error_body  # not at the top: DRF imports this module while errors.py imports DRF's views

    message = message or str(exceptions.Throttled(wait=seconds).detail)  # DRF's wording, as ApiRateThrottle's 429
    if html:
        page = "<!doctype html><title>Too many requests</title><h1>Too many requests</h1><p>{}</p>"
        response = HttpResponse(format_html(page, message), status=429)
    else:
        response = JsonResponse(error_body(status_code=429, code="throttled", message=message), status=429)
    response["Retry-After"] = str(seconds)
    return response


# --- failed logins ------------------------------------------------------------------------


def _normalise(username) -> str:
    """The username as a counter key: the same however a form or serializer cleaned it, and case-blind."""
    return unicodedata.normalize("NFKC", username).strip().casefold() if isinstance(username, str) else ""


def _login_limits(username: str) -> list[tuple[str, object, str]]:
    limits = [("login:ip", "ip", settings.RATELIMIT_LOGIN_IP)]
    if username:  # no username: the password is never checked, only the address counts
        limits.append(("login:username", lambda group, request: username, settings.RATELIMIT_LOGIN_USERNAME))
    return limits


def _posted_username(request) -> str:
    field = get_user_model().USERNAME_FIELD
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:  # includes undecodable bytes; the view answers the bad body
            return ""
        return _normalise(data.get(field)) if isinstance(data, dict) else ""
    return _normalise(request.POST.get(field))


def _login_refusal(request, *, html: bool) -> HttpResponse | None:
    """429 once this address or this username has used up its failed logins for the window."""
    waits = []
    for group, key, rate in _login_limits(_posted_username(request)):
        usage = _usage(request, group=group, key=key, rate=rate, increment=False)
        if usage is not None and usage["count"] >= usage["limit"]:
            waits.append(_seconds_left(usage))
    if not waits:
        return None
    seconds = max(waits)
    return _too_many(seconds, html=html, message=f"Too many failed logins. Try again in {seconds} seconds.")


def _count_failed_login(sender, credentials, request=None, **kwargs):
    if request is None:  # authenticate() called outside a request: nothing to limit
        return
    for group, key, rate in _login_limits(_normalise(credentials.get(get_user_model().USERNAME_FIELD))):
        _usage(request, group=group, key=key, rate=rate, increment=True)


# Connected on import: the middleware imports this module when the handler starts, before any login.
user_login_failed.connect(_count_failed_login, dispatch_uid="core.ratelimit.failed_login")


# --- API ----------------------------------------------------------------------------------


def _is_anonymous_api_call(request) -> bool:
    if not request.path.startswith("/api/"):
        return False
    keyword = request.headers.get("Authorization", "").split(maxsplit=1)[:1]
    if keyword and keyword[0].lower() == "token":
        return False  # DRF authenticates it (or answers 401); ApiRateThrottle counts the user
    return not request.user.is_authenticated


def scope_of(view) -> str:
    """The view's `ratelimit_scope`: one scope for every action, or {action: scope} with "api" for the rest."""
    scope = getattr(view, "ratelimit_scope", "api")
    if isinstance(scope, dict):
        return scope.get(getattr(view, "action", None), "api")
    return scope


class ApiRateThrottle(BaseThrottle):
    """Per user, token or session alike, at the rate of the view's scope; the count goes to the response headers."""

    def allow_request(self, request, view):
        http_request = request._request
        if request.user.is_authenticated:
            scope = scope_of(view)
            group, key, rate = f"api:{scope}", "user", getattr(settings, SCOPE_RATES[scope])
        elif hasattr(http_request, "ratelimit_usage"):
            return True  # an anonymous call the middleware has counted already
        else:
            group, key, rate = "api:anon", "ip", settings.RATELIMIT_API_ANON
        usage = _usage(request, group=group, key=key, rate=rate, increment=True)
        if usage is None:
            return True
        http_request.ratelimit_usage = usage
        self.seconds = _seconds_left(usage)
        return not usage["should_limit"]

    def wait(self):
        return self.seconds


class RateLimitMiddleware:
    """Limits anonymous API calls and failed logins before the view runs; adds X-RateLimit-* to limited answers."""

    def __init__(self, get_response):
        check_rates()
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        usage = getattr(request, "ratelimit_usage", None)
        if usage is not None:
            _set_headers(response, usage)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _is_anonymous_api_call(request):
            usage = _usage(request, group="api:anon", key="ip", rate=settings.RATELIMIT_API_ANON, increment=True)
            if usage is not None:
                request.ratelimit_usage = usage
                if usage["should_limit"]:
                    return _too_many(_seconds_left(usage))
        answer = LOGIN_VIEWS.get(request.resolver_match.view_name)
        if answer is not None and request.method == "POST":
            return _login_refusal(request, html=answer == "html")
        return None
