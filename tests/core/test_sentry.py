"""Error tracking: off without SENTRY_DSN; with one, errors in views and in workers reach it tagged with
the request id and without personal data. Sentry is played by an HTTP server on 127.0.0.1 that keeps
the envelopes the real SDK sends; the app runs in its own processes, with the settings production uses."""

import gzip
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.conf import settings
from kombu import Exchange, Queue
from rest_framework.authtoken.models import Token
from sentry_sdk.envelope import Envelope

from apps.core.models import Job
from apps.core.request_context import request_id
from erp.celery import app
from erp.sentry import before_send
from tests.core.job_tasks import needs_input
from tests.factories import UserFactory
from tests.worker import _test_database_url

EMAIL = "ann.sentry@example.com"
COOKIE = "sessionid=session-secret-1; csrftoken=csrf-secret-2"


class _Envelopes(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":  # the SDK prefers brotli when it is installed (Locust brings it)
            import brotli

            body = brotli.decompress(body)
        self.server.received.append((self.path, Envelope.deserialize(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def sentry_server():
    """A stand-in for Sentry on 127.0.0.1: `server.dsn` to send to, `server.errors()` the error events received."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Envelopes)
    server.received = []
    server.dsn = f"http://public-key@127.0.0.1:{server.server_port}/42"

    def errors(timeout: float = 30.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = [envelope.get_event() for _, envelope in server.received]
            found = [event for event in events if event and "exception" in event]
            if found:
                return found
            time.sleep(0.1)
        return []

    server.errors = errors
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _env(server, **extra) -> dict:
    env = {key: value for key, value in os.environ.items() if "proxy" not in key.lower()}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "erp.settings.test",
        "DATABASE_URL": _test_database_url(),
        "SENTRY_DSN": server.dsn,
        "SENTRY_ENVIRONMENT": "sentry-test",
        "SENTRY_RELEASE": "threadline@1.2.3",
        **extra,
    }


CRASH_SCRIPT = """
import os, threading, urllib.request
from urllib.error import HTTPError
from wsgiref.simple_server import WSGIRequestHandler, make_server

import sentry_sdk
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass

client = sentry_sdk.get_client()
assert client.is_active() and client.get_integration(DjangoIntegration) and client.get_integration(CeleryIntegration)
with override_settings(ROOT_URLCONF="tests.core.urls"):  # the project's URLs and a view that raises
    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.server_port}/api/test/crash/?email={os.environ['USER_EMAIL']}",
        headers={
            "X-Request-ID": "req-sentry-7",
            "Authorization": "Token " + os.environ["USER_TOKEN"],
            "Cookie": os.environ["USER_COOKIE"],
        },
    )
    try:
        urllib.request.urlopen(request, timeout=30)
    except HTTPError as error:
        assert error.code == 500, error.code
    server.shutdown()
sentry_sdk.flush(timeout=10)
"""


def _crash_a_view(server, **extra) -> tuple[dict, str]:
    """A token user calls a view that raises, through a WSGI server in a process with SENTRY_DSN set.

    Returns the error event Sentry received, and the user's token."""
    user = UserFactory(email=EMAIL)
    token = Token.objects.create(user=user).key
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", CRASH_SCRIPT],
        cwd=settings.BASE_DIR, env=_env(server, USER_EMAIL=EMAIL, USER_TOKEN=token, USER_COOKIE=COOKIE, **extra),
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    errors = server.errors()
    assert errors, f"no event reached the server; stderr: {result.stderr[-2000:]}"
    return errors[0], token


def test_sentry_is_off_without_a_dsn():
    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the app's own process reads the user and token
def test_error_in_a_view_reaches_sentry_with_the_request_id_and_no_personal_data(sentry_server):
    event, token = _crash_a_view(sentry_server)

    assert event["tags"]["request_id"] == "req-sentry-7"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert (event["environment"], event["release"]) == ("sentry-test", "threadline@1.2.3")
    assert "user" not in event
    sent = json.dumps([item.payload.json for _, envelope in sentry_server.received for item in envelope.items])
    for secret in (EMAIL, token, "session-secret-1", "csrf-secret-2"):
        assert secret not in sent, secret
    request = event["request"]
    assert request["method"] == "GET" and request["url"].endswith("/api/test/crash/")  # no query string
    assert "query_string" not in request and "REMOTE_ADDR" not in request.get("env", {})
    headers = {name.lower() for name in request["headers"]}
    assert not headers & {"authorization", "cookie"}
    assert "x-request-id" in headers  # the rest of the request is still there


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_personal_data_is_sent_only_when_allowed_and_credentials_never(sentry_server):
    event, token = _crash_a_view(sentry_server, SENTRY_SEND_PII="true")

    assert event["user"]["email"] == EMAIL
    assert event["request"]["query_string"] == f"email={EMAIL}"
    assert event["request"]["env"]["REMOTE_ADDR"] == "127.0.0.1"
    assert event["tags"]["request_id"] == "req-sentry-7"
    sent = json.dumps(event)
    for secret in (token, "session-secret-1", "csrf-secret-2"):
        assert secret not in sent, secret


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker reads the job
def test_a_job_failing_on_a_worker_reaches_sentry(sentry_server):
    """A real worker process, with the settings' Sentry set-up, on a queue of its own."""
    queue = f"sentry-test-{uuid.uuid4().hex[:8]}"
    job = Job.objects.create(task=needs_input.name, title="Needs input", params={"flag": "absent-flag"}, queue=queue)
    command = [sys.executable, "-m", "celery", "-A", "erp", "worker", "--hostname", f"{queue}@localhost"]
    command += ["--queues", queue, "--include", "tests.core.job_tasks", "--pool", "solo", "--loglevel", "WARNING"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    worker = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=_env(sentry_server, CELERY_TASK_ALWAYS_EAGER="false"),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        needs_input.apply_async((job.pk,), job.params, queue=queue)
        errors = sentry_server.errors(timeout=60)
    finally:
        app.conf.task_always_eager = eager
        worker.terminate()
        _, stderr = worker.communicate(timeout=30)
        with app.connection_for_write() as connection:  # declared here, so this channel knows what to delete
            declared = Queue(queue, Exchange(queue), routing_key=queue)(connection.default_channel)
            declared.declare()
            declared.delete()
    assert errors, stderr[-2000:]
    exception = errors[0]["exception"]["values"][-1]
    assert (exception["type"], exception["value"]) == ("ValueError", "absent-flag is missing")
    assert errors[0]["tags"]["celery_task_id"]
    assert errors[0]["extra"]["celery-job"] == {
        "task_name": "tests.needs_input",
        "args": "[Filtered]",
        "kwargs": "[Filtered]",
    }
    assert "request_id" not in errors[0]["tags"]  # no request here: no made-up id
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_before_send_tags_the_request_id_and_drops_credentials_and_personal_data():
    event = {
        "user": {"email": EMAIL, "ip_address": "198.51.100.4"},
        "request": {
            "url": "https://erp.example.com/api/v1/buyers/?search=ann",
            "query_string": "search=ann",
            "data": {"email": EMAIL},
            "cookies": {"sessionid": "s"},
            "headers": {"Authorization": "Token t", "COOKIE": "sessionid=s", "X-CSRFToken": "c", "Accept": "*/*"},
        },
    }
    reset = request_id.set("req-unit-1")
    try:
        cleaned = before_send(json.loads(json.dumps(event)), {})
        allowed = before_send(json.loads(json.dumps(event)), {}, send_pii=True)
    finally:
        request_id.reset(reset)

    assert cleaned["tags"] == {"request_id": "req-unit-1"}
    assert "user" not in cleaned
    assert cleaned["request"] == {"url": "https://erp.example.com/api/v1/buyers/", "headers": {"Accept": "*/*"}}
    assert allowed["user"] == event["user"]
    assert allowed["request"]["data"] == {"email": EMAIL}
    assert allowed["request"]["headers"] == {"Accept": "*/*"}
    assert "cookies" not in allowed["request"]
