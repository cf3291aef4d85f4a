import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]


def test_unknown_api_url_gets_json_404(client):
    response = client.get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="req-404")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "Not found.", "request_id": "req-404"}
    }


def test_unknown_page_outside_api_stays_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_unhandled_api_error_gets_json_500_without_traceback():
    client = Client(raise_request_exception=False)
    response = client.get("/api/test/crash/", HTTP_X_REQUEST_ID="req-500")
    assert response.status_code == 500
    assert response.json()["error"] == {
        "status": 500,
        "code": "server_error",
        "message": "Internal server error.",
        "request_id": "req-500",
    }
    assert b"boom" not in response.content


def test_statement_timeout_gets_503_with_retry_after(client):
    response = client.get("/api/test/slow-query/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "service_unavailable"


def test_web_requests_run_under_the_server_side_statement_timeout(client, settings):
    assert settings.DB_STATEMENT_TIMEOUT_MS > 0
    response = client.get("/api/test/statement-timeout/")
    assert response.json() == {"statement_timeout_ms": settings.DB_STATEMENT_TIMEOUT_MS}
