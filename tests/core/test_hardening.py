"""Security hardening: content security policy, cookies and errors in production, body size limits,
password rules, secrets from the environment, a container that does not run as root."""

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.core.test_settings import SECURE_ENV
from tests.factories import UserFactory
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, set[str]]:
    """The Content-Security-Policy header as {directive: {sources}}."""
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: set(sources) for name, *sources in directives}


# --- Content security policy ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/admin/", "/admin/buyers/buyer/", "/admin/buyers/buyer/add/", "/admin/dashboard/", "/api/v1/", "/admin/login/"],
)
def test_pages_carry_a_strict_script_policy(staff_client, url):
    response = (Client() if url == "/admin/login/" else staff_client).get(url)
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == {"'self'"}
    assert csp["script-src"] == {"'self'"}  # no inline script, no eval, and no nonce when the page needs none
    assert csp["object-src"] == {"'none'"}
    assert csp["frame-ancestors"] == {"'none'"}
    assert csp["base-uri"] == {"'self'"}
    assert csp["form-action"] == {"'self'"}
    assert csp["img-src"] == {"'self'", "data:"}


def test_admin_pages_have_no_inline_script_the_policy_would_block(staff_client):
    """Data for scripts comes as <script type="application/json">, which browsers never run."""
    for url in ["/admin/", "/admin/buyers/buyer/add/", "/admin/dashboard/"]:
        html = staff_client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, f"{url}: inline script {tag}"
        assert not re.search(r"\son[a-z]+=\"", html), f"{url}: inline event handler"


def test_swagger_ui_runs_its_start_up_script_by_nonce(staff_client):
    response = staff_client.get("/api/docs/")
    assert response.status_code == 200
    nonce = re.search(r'<script nonce="([^"]+)">', response.content.decode()).group(1)
    assert policy(response)["script-src"] == {"'self'", f"'nonce-{nonce}'"}
    assert "SwaggerUIBundle(" in response.content.decode()


def test_each_page_gets_a_fresh_nonce(staff_client):
    first, second = (policy(staff_client.get("/api/docs/"))["script-src"] for _ in range(2))
    assert first != second


def test_silk_pages_stay_outside_the_policy():
    assert "/silk/" in settings.CONTENT_SECURITY_POLICY["EXCLUDE_URL_PREFIXES"]


# --- Request size -----------------------------------------------------------------------------


@pytest.fixture
def small_bodies(settings):
    settings.MAX_REQUEST_BODY_SIZE = 2000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000


def test_an_oversized_api_body_is_refused_with_413(client_for, small_bodies):
    client = client_for("merchandiser")
    body = json.dumps({"code": "BIG", "name": "x" * 3000})
    response = client.post("/api/v1/buyers/", body, content_type="application/json")
    assert_error_shape(response, 413, "request_too_large")


def test_an_oversized_upload_is_refused_before_anything_reads_it(client_for, small_bodies):
    """Django streams uploaded files to disk whatever their size; the limit counts them too."""
    upload = SimpleUploadedFile("big.csv", b"a," * 5000)
    response = client_for("merchandiser").post("/api/v1/buyers/", {"code": "UP", "file": upload}, format="multipart")
    assert_error_shape(response, 413, "request_too_large")


def test_an_oversized_form_outside_the_api_gets_a_plain_413(small_bodies):
    response = Client().post("/admin/login/", {"username": "x", "password": "y" * 3000})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")


def test_a_body_at_the_limit_goes_through(client_for, small_bodies):
    client = client_for("merchandiser")
    body = json.dumps({"code": "FIT", "name": "x"}).ljust(2000)
    response = client.post("/api/v1/buyers/", body, content_type="application/json")
    assert response.status_code in (201, 400)  # judged on its content, not its size


def test_a_body_over_django_s_own_limit_gets_the_json_error_shape(client_for, settings):
    """Between the two limits: Django refuses the body (400), still in the one error shape."""
    settings.MAX_REQUEST_BODY_SIZE = 10_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    response = client_for("merchandiser").post(
        "/api/v1/buyers/", json.dumps({"name": "x" * 3000}), content_type="application/json"
    )
    assert_error_shape(response, 400, "bad_request")


# --- Passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["short1!", "password123", "12345678901", "anna.karlsson"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password, user=UserFactory.build(username="anna.karlsson", email="anna@example.com"))


def test_a_long_uncommon_password_is_accepted():
    validate_password("tangerine-loom-crossing-47", user=UserFactory.build(username="anna.karlsson"))


# --- Production settings, in a process of their own --------------------------------------------

PRODUCTION_PROBE = textwrap.dedent(
    """
    import json, sys, types
    import django
    django.setup()
    from django.conf import settings
    from django.http import HttpResponse
    from django.middleware.csrf import get_token
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import path

    def cookies(request):
        get_token(request)
        request.session["seen"] = True
        return HttpResponse("ok")

    def boom(request):
        raise RuntimeError("boom-" + "secret-detail")

    from tests.core import urls as test_urls
    urls = types.ModuleType("probe_urls")
    urls.urlpatterns = [path("cookies/", cookies), path("boom/", boom), *test_urls.urlpatterns]
    for name in ("handler400", "handler403", "handler404", "handler500"):
        setattr(urls, name, getattr(test_urls, name))
    sys.modules["probe_urls"] = urls

    out = {
        "settings": {name: getattr(settings, name) for name in (
            "DEBUG", "DEBUG_PROPAGATE_EXCEPTIONS", "SECRET_KEY", "EMAIL_HOST_PASSWORD",
            "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_NAME",
            "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "CSRF_COOKIE_NAME",
            "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "AUTH_PASSWORD_VALIDATORS",
        )},
        "database_password": settings.DATABASES["default"]["PASSWORD"],
    }
    with override_settings(ROOT_URLCONF="probe_urls", SESSION_ENGINE="django.contrib.sessions.backends.cache"):
        client = Client(raise_request_exception=False, HTTP_HOST="erp.example.com")
        response = client.get("/cookies/", secure=True)
        out["cookies"] = {
            name: {key: morsel[key] for key in ("secure", "httponly", "samesite", "path", "domain")}
            for name, morsel in response.cookies.items()
        }
        out["headers"] = dict(response.headers)
        out["plain_http"] = client.get("/cookies/").status_code
        for name, url in (("api_500", "/api/test/crash/"), ("page_500", "/boom/"), ("page_404", "/no-such-page/")):
            response = client.get(url, secure=True)
            out[name] = {"status": response.status_code, "type": response["Content-Type"],
                         "body": response.content.decode()}
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def production():
    """What production settings hold and how they answer, from a process started with them."""
    keep = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env = {
        **keep,
        **SECURE_ENV,
        "DATABASE_URL": "postgres://threadline:db-pass-from-env@127.0.0.1:5432/threadline",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12"),
        "EMAIL_HOST_PASSWORD": "mail-pass-from-env",
        "LOG_LEVEL": "CRITICAL",  # the 500's traceback goes to the log, which this probe does not need
    }
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookie_settings(production):
    assert (
        production["settings"]
        | {
            "SESSION_COOKIE_SECURE": True,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "CSRF_COOKIE_SECURE": True,
            "CSRF_COOKIE_HTTPONLY": True,
            "CSRF_COOKIE_SAMESITE": "Lax",
        }
        == production["settings"]
    )


def test_production_cookies_are_secure_host_only_and_hidden_from_scripts(production):
    cookies = production["cookies"]
    assert set(cookies) == {"__Host-sessionid", "__Host-csrftoken"}
    for name, flags in cookies.items():
        assert flags["secure"] is True, name
        assert flags["httponly"] is True, name
        assert flags["samesite"] == "Lax", name
        assert (flags["path"], flags["domain"]) == ("/", ""), name  # what the __Host- prefix demands


def test_production_sends_hsts_and_upgrades_insecure_requests(production):
    headers = production["headers"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "upgrade-insecure-requests" in headers["Content-Security-Policy"]
    assert production["plain_http"] == 301  # plain HTTP is redirected to HTTPS


def test_production_errors_show_no_stack_trace(production):
    api, page, missing = production["api_500"], production["page_500"], production["page_404"]
    assert api["status"] == 500 and api["type"] == "application/json"
    assert json.loads(api["body"])["error"]["code"] == "server_error"
    assert page["status"] == 500 and "Server Error (500)" in page["body"]
    assert missing["status"] == 404 and "URLconf" not in missing["body"]
    for answer in (api, page, missing):
        assert (
            "Traceback" not in answer["body"] and "secret-detail" not in answer["body"] and "boom" not in answer["body"]
        )
    assert production["settings"]["DEBUG"] is False and production["settings"]["DEBUG_PROPAGATE_EXCEPTIONS"] is False


def test_production_secrets_come_from_the_environment(production):
    assert production["settings"]["SECRET_KEY"] == SECURE_ENV["DJANGO_SECRET_KEY"]
    assert production["database_password"] == "db-pass-from-env"
    assert production["settings"]["EMAIL_HOST_PASSWORD"] == "mail-pass-from-env"


def test_production_keeps_the_password_validators(production):
    names = {validator["NAME"].rsplit(".", 1)[1] for validator in production["settings"]["AUTH_PASSWORD_VALIDATORS"]}
    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


# --- The container ----------------------------------------------------------------------------


def test_the_container_runs_as_an_unprivileged_user():
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0", "0:0")
    assert dockerfile.index(f"USER {users[-1]}") < dockerfile.index("CMD ")
    assert re.search(rf"useradd[^\n]*--system[^\n]*{users[-1]}", dockerfile)
    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    assert not re.search(r"^\s*user:\s*['\"]?(root|0)", compose, flags=re.MULTILINE)
