"""Housekeeping tasks; beat runs them on the schedules in migration 0005 (editable in the admin).

Celery's autodiscovery reads this module of each app: the import job (imports/tasks.py) is loaded from here.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.core.management import call_command
from django.utils import timezone

from .imports.tasks import import_file  # noqa: F401  (registers core.import_file)
from .jobs import TRANSIENT_ERRORS, backoff_seconds
from .models import Job


@shared_task(name="core.send_email", bind=True, max_retries=5)
def send_email(self, subject: str, body: str, recipients: list[str]) -> int:
    try:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except (*TRANSIENT_ERRORS, OSError) as exc:  # an SMTP server that is down or refuses for now
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc


@shared_task(name="core.warm_cache")
def warm_cache() -> None:
    call_command("warm_cache")


@shared_task(name="core.cleanup_jobs")
def cleanup_jobs() -> int:
    """Delete finished jobs older than JOB_RETENTION_DAYS, with their result files and uploaded files
    (an admin import's `upload` parameter); returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.JOB_RETENTION_DAYS)
    old = Job.objects.filter(created_at__lt=cutoff).exclude(status__in=Job.OPEN_STATUSES)
    deleted = 0
    for job in old.only("pk", "result_file", "params").iterator(chunk_size=500):
        if job.result_file:
            job.result_file.delete(save=False)
        if job.params.get("upload"):
            default_storage.delete(job.params["upload"])
        job.delete()
        deleted += 1
    return deleted
