import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_createsuperuser_noinput_works_as_django_documents(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-pass-phrase")
    call_command("createsuperuser", interactive=False, username="boss", email="boss@example.com", verbosity=0)
    user = get_user_model().objects.get(username="boss")
    assert user.is_superuser and user.check_password("a-long-pass-phrase")


def test_ensure_admin_creates_once(settings, capsys):
    settings.DEBUG = True
    call_command("ensure_admin")
    assert "password 'admin'" in capsys.readouterr().out
    call_command("ensure_admin")
    assert "exists" in capsys.readouterr().out
    assert get_user_model().objects.filter(username="admin", is_superuser=True).count() == 1


def test_api_schema_needs_login_and_describes_buyers(api_client, client_for):
    assert api_client.get("/api/schema/").status_code == 401
    response = client_for("viewer").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/buyers/" in response.json()["paths"]


def test_api_docs_page_redirects_anonymous_users_to_login(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302 and response["Location"].startswith("/api/auth/login/")


def test_silk_is_off_under_test_settings(client):
    assert client.get("/silk/").status_code == 404


@pytest.mark.urls("tests.core.urls_silk")
def test_silk_when_on_is_for_staff_only(client):
    assert client.get("/silk/").status_code == 302  # to the login page
    client.force_login(UserFactory(is_staff=False))
    assert client.get("/silk/").status_code == 403
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/silk/").status_code == 200
