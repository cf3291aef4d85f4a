import io
import logging
import re

import pytest

pytestmark = pytest.mark.django_db


def test_request_id_round_trips(client):
    response = client.get("/health/live", HTTP_X_REQUEST_ID="abc-123.req")
    assert response["X-Request-ID"] == "abc-123.req"


def test_request_id_is_created_when_absent(client):
    first = client.get("/health/live")["X-Request-ID"]
    second = client.get("/health/live")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_unsafe_request_id_is_replaced(client):
    response = client.get("/health/live", HTTP_X_REQUEST_ID="bad id\nInjected: yes")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.fixture
def console_log():
    """What the configured console handler writes, captured in a buffer."""
    handler = next(handler for handler in logging.getLogger().handlers if handler.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def test_request_id_is_on_log_lines_of_the_request(client, console_log):
    client.get("/api/v1/buyers/", HTTP_X_REQUEST_ID="trace-me")
    assert "WARNING [trace-me] django.request: Unauthorized: /api/v1/buyers/" in console_log.getvalue()


def test_log_lines_outside_requests_carry_a_dash(console_log):
    logging.getLogger("apps.core").warning("between requests")
    assert "WARNING [-] apps.core: between requests" in console_log.getvalue()


def test_server_timing_reports_total_db_time_and_query_count(client_for):
    response = client_for("viewer").get("/api/v1/buyers/")
    match = re.fullmatch(r'db;dur=[\d.]+;desc="(\d+) queries", total;dur=[\d.]+', response["Server-Timing"])
    assert match, response["Server-Timing"]
    assert int(match.group(1)) >= 1


def test_security_headers_are_set(client):
    response = client.get("/health/live")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
