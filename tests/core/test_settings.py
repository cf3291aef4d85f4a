"""Production settings refuse insecure values and pass Django's deployment checks."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

SECURE_ENV = {
    "DJANGO_SETTINGS_MODULE": "erp.settings.production",
    "DJANGO_SECRET_KEY": "p9#x2!vQe7Lm@4Rt8zW1kN6yB3cJ0hF5sD-gA_uI&oP*eX%qZ^rT",
    "DJANGO_ALLOWED_HOSTS": "erp.example.com",
    "DATABASE_URL": "postgres://threadline@db.internal:5432/threadline",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR, env={**base, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_production_check_deploy_is_clean():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **SECURE_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("DJANGO_SECRET_KEY", "short", "DJANGO_SECRET_KEY"),
        ("DJANGO_SECRET_KEY", "django-insecure-" + "x" * 60, "DJANGO_SECRET_KEY"),
        ("DJANGO_ALLOWED_HOSTS", "*", "DJANGO_ALLOWED_HOSTS"),
        ("DJANGO_DEBUG", "true", "DJANGO_DEBUG"),
        ("DB_POOL_MAX_SIZE", "many", "DB_POOL_MAX_SIZE"),
    ],
)
def test_production_refuses_insecure_or_malformed_values(variable, value, complaint):
    result = manage("check", **{**SECURE_ENV, variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and complaint in result.stderr


@pytest.mark.parametrize("variable", ["DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"])
def test_production_requires_its_variables(variable):
    env = {key: value for key, value in SECURE_ENV.items() if key != variable}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and f"Set {variable}" in result.stderr.replace("Set the ", "Set ")
