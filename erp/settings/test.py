"""Tests: real PostgreSQL and Redis (embedded unless DATABASE_URL/REDIS_URL are set)."""

import os

from erp import embedded

embedded.export_defaults()
# Silk adds its own queries to every request; query-count tests must see only ours.
os.environ["SILK_ENABLED"] = "false"
# Creating and dropping the test database can outlast a web request's 15 s on a busy machine.
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "60000")

from .base import *  # noqa: E402,F403
from .base import CACHES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
CACHES["default"]["KEY_PREFIX"] = "threadline-test"
