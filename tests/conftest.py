import shutil
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.core import cache as view_cache
from tests.factories import UserFactory

pytest_plugins = ["tests.worker"]  # the real Celery worker fixtures


@pytest.fixture(scope="session", autouse=True)
def _empty_media_root():
    """Job result files from an earlier run would make storage rename this run's files."""
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache (views, permission sets): Redis outlives a test's
    rolled-back transaction. Only keys under the test prefix go, never the whole Redis database."""
    cache.delete_pattern("*")


@pytest.fixture
def api_client():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def client_for(db):
    """client_for("merchandiser") -> an APIClient logged in as a new user with that role (none: no role)."""

    def make(*roles: str, **user_fields) -> APIClient:
        client = APIClient()
        client.force_login(UserFactory(roles=list(roles), **user_fields))  # a real session, as in the browser
        return client

    return make


@pytest.fixture
def staff_client(client, db):
    """A Django test client logged in as a superuser, for admin pages."""
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def assert_queries_constant():
    """assert_queries_constant(client, url, make_rows) - a list page issues the same number of
    queries with 5 rows as with 50, and no more than `ceiling`. `make_rows(n)` adds n rows."""

    def check(client, url: str, make_rows: Callable[[int], object], *, ceiling: int = 8, params=None) -> list[int]:
        counts, made = [], 0
        for total in (5, 50):
            make_rows(total - made)
            made = total
            if total == 5:  # warm the per-user caches (session, permissions), then forget cached pages
                client.get(url, params or {})
                view_cache.clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, params or {})
            assert response.status_code == 200, getattr(response, "content", b"")[:500]
            counts.append(len(queries))
        assert counts[0] == counts[1], f"{url}: queries grew with rows: {counts}"
        assert counts[1] <= ceiling, f"{url}: {counts[1]} queries, ceiling {ceiling}"
        return counts

    return check
