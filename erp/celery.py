"""The Celery application; configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings.local")
# Workers run long jobs: no web statement timeout unless one is set explicitly.
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")

app = Celery("erp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
