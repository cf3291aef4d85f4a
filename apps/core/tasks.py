"""Housekeeping tasks; beat runs them on the schedules in migration 0005 (editable in the admin)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.core.management import call_command
from django.utils import timezone

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
    """Delete finished jobs older than JOB_RETENTION_DAYS, with their result files; returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.JOB_RETENTION_DAYS)
    old = Job.objects.filter(created_at__lt=cutoff).exclude(status__in=Job.OPEN_STATUSES)
    deleted = 0
    for job in old.only("pk", "result_file").iterator(chunk_size=500):
        if job.result_file:
            job.result_file.delete(save=False)
        job.delete()
        deleted += 1
    return deleted
