"""The embedded servers a fresh clone uses: started on demand, found again, stopped cleanly."""

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.fixture
def embedded_env():
    """A private var dir and Redis port, so the servers this suite may itself run on are untouched.

    The dir sits inside the checkout, not under /tmp/pytest-of-*: PostgreSQL runs as the
    unprivileged `pgserver` user when we are root, and must be able to reach it.
    """
    var_dir = settings.BASE_DIR / "var" / f"embedded-test-{os.getpid()}"
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(EMBEDDED_VAR_DIR=str(var_dir), EMBEDDED_REDIS_PORT="6391", DJANGO_SETTINGS_MODULE="erp.settings.local")
    yield env
    subprocess.run([sys.executable, "-m", "erp.embedded", "stop"], env=env, cwd=settings.BASE_DIR, check=False)
    shutil.rmtree(var_dir, ignore_errors=True)


def run(env, *args):
    result = subprocess.run(args, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_manage_py_without_urls_starts_and_reuses_embedded_servers(embedded_env):
    script = "from django.db import connection; from django.core.cache import cache; " \
        "cache.set('k', 'v'); print(connection.cursor().connection.info.dsn, cache.get('k'))"  # fmt: skip
    first = run(embedded_env, sys.executable, "manage.py", "shell", "-c", script)
    assert "dbname=threadline" in first and first.strip().endswith(" v")
    assert "running" in run(embedded_env, sys.executable, "-m", "erp.embedded", "status")

    again = run(
        embedded_env,
        sys.executable,
        "manage.py",
        "shell",
        "-c",
        "from django.core.cache import cache; print(cache.get('k'))",
    )
    assert again.strip().endswith("v")  # the same Redis, still running after the first process ended

    run(embedded_env, sys.executable, "-m", "erp.embedded", "stop")
    status = run(embedded_env, sys.executable, "-m", "erp.embedded", "status")
    assert "postgres: stopped" in status and "redis: stopped" in status
