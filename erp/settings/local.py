"""Development: embedded servers unless DATABASE_URL/REDIS_URL are set, debug toolbar, Silk."""

import os

from erp import embedded

embedded.export_defaults()
os.environ.setdefault("SILK_ENABLED", "true")

from .base import *  # noqa: E402,F403
from .base import INSTALLED_APPS, MIDDLEWARE  # noqa: E402
from .env import env_bool  # noqa: E402

DEBUG = env_bool("DJANGO_DEBUG", True)
# Tasks run inline so the quick start needs no worker; set false to use a real worker.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)

if DEBUG:
    INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar"]
    MIDDLEWARE = ["debug_toolbar.middleware.DebugToolbarMiddleware", *MIDDLEWARE]
    INTERNAL_IPS = ["127.0.0.1"]
    DEBUG_TOOLBAR_CONFIG = {"IS_RUNNING_TESTS": False, "SHOW_COLLAPSED": True}
