"""A real Celery worker for the tests that need one: a separate process, on the Redis broker, against
the test database. Tests using it must commit what the worker reads (transactional database tests)."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

from erp.celery import app

QUEUES = ("critical", "high", "default", "low")
LOG = Path(settings.BASE_DIR) / "var" / "test-artifacts" / "celery-worker.log"


def _test_database_url() -> str:
    return urlparse(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"]).geturl()


def _wait_until_ready(name: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The Celery worker exited with {process.returncode}; see {LOG}")
        if app.control.ping(destination=[name], timeout=0.5):
            return
    pytest.fail(f"The Celery worker did not answer within {timeout} s; see {LOG}")


@pytest.fixture(scope="session")
def worker_process(django_db_setup, django_db_blocker):
    """Start one worker for the session on all four queues, with the test-only tasks loaded."""
    name = f"pytest-{os.getpid()}@localhost"
    app.control.purge()  # messages a previous, interrupted run left behind
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "CELERY_TASK_ALWAYS_EAGER": "false"}
    env["DJANGO_SETTINGS_MODULE"] = "erp.settings.test"
    LOG.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "celery", "-A", "erp", "worker", "--hostname", name, "--queues", ",".join(QUEUES)]
    command += ["--include", "tests.core.job_tasks", "--concurrency", "2", "--loglevel", "INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    with LOG.open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR)
    try:
        _wait_until_ready(name, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def celery_worker(worker_process):
    """Tasks sent by this test go to the real worker instead of running inline."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield worker_process
    app.conf.task_always_eager = eager


def wait_for(predicate, timeout: float = 60, interval: float = 0.2):
    """Poll until predicate() is truthy and return it; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Still waiting after {timeout} s; worker log: {LOG}")
