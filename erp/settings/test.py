"""Tests: real PostgreSQL and Redis (embedded unless DATABASE_URL/REDIS_URL are set)."""

import os

from erp import embedded

embedded.export_defaults()
# Silk adds its own queries to every request; query-count tests must see only ours.
os.environ["SILK_ENABLED"] = "false"
# Creating and dropping the test database can outlast a web request's 15 s on a busy machine.
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "60000")
# Concurrency tests hold a connection per thread, more threads at once than a gunicorn worker has.
os.environ.setdefault("DB_POOL_MAX_SIZE", "16")

from .base import *  # noqa: E402,F403
from .base import BASE_DIR, CACHES  # noqa: E402
from .env import env_bool  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
CACHES["default"]["KEY_PREFIX"] = "threadline-test"
# Jobs run inline unless a test starts a real worker (tests/core/jobs/conftest.py), which sets this false.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
JOB_RETRY_BASE_SECONDS = 0.5
# Result files of test jobs, apart from the development ones; tests/conftest.py empties it per run.
MEDIA_ROOT = str(BASE_DIR / "var" / "test-media")
