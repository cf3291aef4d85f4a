"""Error tracking with sentry-sdk: Django and Celery, on only when SENTRY_DSN is set (settings call init_sentry).

Events carry the request id (the X-Request-ID every response and log line has), so an
event leads to its log lines. No personal data by default: no user, IP address, cookies,
request bodies, query strings or local variables; SENTRY_SEND_PII=true sends them (never
cookies or credentials). The web processes and the Celery workers load the same settings,
so both report.
"""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import ignore_logger

# Credentials: never sent, even with personal data allowed.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-csrftoken"})


def before_send(event: dict, hint: dict, *, send_pii: bool = False) -> dict:
    """Tag the request id; drop credentials, and personal data unless allowed."""
    from apps.core.request_context import request_id

    current = request_id.get()
    if current != "-":
        event.setdefault("tags", {})["request_id"] = current
    request = event.get("request") or {}
    request.pop("cookies", None)
    headers = request.get("headers") or {}
    for name in [name for name in headers if name.lower() in SECRET_HEADERS]:
        del headers[name]
    if not send_pii:
        event.pop("user", None)
        for key in ("data", "query_string"):
            request.pop(key, None)
        if "url" in request:
            request["url"] = request["url"].split("?", 1)[0]
    return event


def init_sentry(*, dsn: str, environment: str, release: str, traces_sample_rate: float, send_pii: bool) -> None:
    """Start reporting to Sentry; called once from settings when SENTRY_DSN is set."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=send_pii,
        include_local_variables=send_pii,  # a frame's variables may hold a buyer's or a user's details
        max_request_body_size="medium" if send_pii else "never",
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=lambda event, hint: before_send(event, hint, send_pii=send_pii),
    )
    # A Redis outage logs an error on every cache call; /health/ready and /metrics report it instead.
    ignore_logger("apps.core.cache")
    # Requests with a wrong Host header: scanners, not our errors.
    ignore_logger("django.security.DisallowedHost")
