"""Background jobs staff can see: a Celery task whose progress, outcome and retries land on a Job row.

    @app.task(base=JobTask, name="reports.generate")
    def generate(job, report): ...          # runs on a worker, gets the Job and the params

    job = start_job(generate, title="Sales by buyer", user=request.user, report="sales")

Transient errors (database, network, broker) are retried with exponential backoff and jitter;
any other error fails the job at once, since retrying bad input gives the same answer. A failed
job can be retried by hand (admin action or API).
"""

import logging
import random

import redis.exceptions
from celery import Task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from .errors import ServiceUnavailable
from .metrics import job_failures
from .models import Job

logger = logging.getLogger(__name__)


class TransientError(Exception):
    """Raised by a task when a dependency is briefly unavailable and trying again later may succeed."""


class JobCancelled(Exception):
    """Raised inside a task when staff cancelled its job; the task stops quietly."""


TRANSIENT_ERRORS = (
    TransientError,
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


def queue_for(task_name: str) -> str:
    route = settings.CELERY_TASK_ROUTES.get(task_name)
    return route["queue"] if route else settings.CELERY_TASK_DEFAULT_QUEUE


def backoff_seconds(retries: int) -> float:
    """Delay before retry number `retries` + 1: base * 2^retries, plus up to half that again as jitter.

    The jitter spreads out workers that failed together; it is added, not drawn from zero, so each
    delay is longer than the one before.
    """
    delay = settings.JOB_RETRY_BASE_SECONDS * 2**retries
    return min(delay * (1 + random.uniform(0, 0.5)), settings.JOB_RETRY_MAX_SECONDS)


class JobTask(Task):
    """Base for user-visible tasks: the first argument is a Job id, and `run` receives the Job."""

    abstract = True
    max_retries = 5

    def __call__(self, job_id, **params):
        job = self._begin(job_id)
        if job is None:
            return None
        try:
            result = super().__call__(job, **params)
        except JobCancelled:
            logger.info("Job %s was cancelled while running", job_id)
            return None
        except TRANSIENT_ERRORS as exc:
            if self.request.retries < self.max_retries:
                delay = backoff_seconds(self.request.retries)
                _record_attempt(job, exc, retry_in=delay, status=Job.Status.QUEUED)
                raise self.retry(exc=exc, countdown=delay) from exc
            _record_attempt(job, exc, retry_in=None, status=Job.Status.FAILED)
            raise
        except Exception as exc:
            _record_attempt(job, exc, retry_in=None, status=Job.Status.FAILED)
            raise
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            status=Job.Status.SUCCEEDED, progress=100, finished_at=timezone.now(), error=""
        )
        return result

    def _begin(self, job_id) -> Job | None:
        """Mark the job running; None if it is gone, cancelled, or already done (a redelivered message)."""
        now = timezone.now()
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=job_id).first()
            if job is None or job.status in (Job.Status.CANCELLED, Job.Status.SUCCEEDED):
                return None
            job.status = Job.Status.RUNNING
            job.attempts += 1
            job.started_at = job.started_at or now
            job.finished_at = None
            job.save(update_fields=["status", "attempts", "started_at", "finished_at"])
        return job


def _record_attempt(job: Job, exc: Exception, *, retry_in: float | None, status: str) -> None:
    message = f"{type(exc).__name__}: {exc}"[:2000]
    entry = {"attempt": job.attempts, "at": timezone.now().isoformat(), "error": message, "retry_in": retry_in}
    finished = timezone.now() if status == Job.Status.FAILED else None
    try:
        Job.objects.filter(pk=job.pk).exclude(status=Job.Status.CANCELLED).update(
            status=status, error=message, history=[*job.history, entry], finished_at=finished
        )
    except DatabaseError:
        logger.exception("Could not record the failure of job %s", job.pk)
    if status == Job.Status.FAILED:
        job_failures.labels(job.task).inc()
        logger.error("Job %s (%s) failed: %s", job.pk, job.task, message)


def jobs_visible_to(user, queryset=None):
    """Everyone sees the jobs they asked for; holders of core.view_job (and superusers) see all."""
    queryset = Job.objects.all() if queryset is None else queryset
    return queryset if user.has_perm("core.view_job") else queryset.filter(requested_by=user)


def report_progress(job: Job, percent: int) -> None:
    """Store progress; raises JobCancelled if staff cancelled the job meanwhile."""
    if not Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(progress=min(max(percent, 0), 99)):
        raise JobCancelled(job.pk)


def start_job(task: Task, *, title: str, user=None, **params) -> Job:
    """Record a job and queue its task, called with `params` (JSON values), once the transaction commits."""
    job = Job.objects.create(task=task.name, title=title, params=params, queue=queue_for(task.name), requested_by=user)
    transaction.on_commit(lambda: _send(job, task))
    return job


def retry_job(job: Job) -> bool:
    """Queue a failed or cancelled job again; False if it is not in such a state."""
    if not Job.objects.filter(pk=job.pk, status__in=[Job.Status.FAILED, Job.Status.CANCELLED]).update(
        status=Job.Status.QUEUED, progress=0, finished_at=None
    ):
        return False
    from erp.celery import app

    transaction.on_commit(lambda: _send(job, app.tasks[job.task]))
    return True


def cancel_job(job: Job) -> bool:
    """Cancel a queued or running job; a running task notices at its next progress report."""
    cancelled = Job.objects.filter(pk=job.pk, status__in=Job.OPEN_STATUSES).update(
        status=Job.Status.CANCELLED, finished_at=timezone.now()
    )
    if cancelled and job.celery_id:
        from erp.celery import app

        app.control.revoke(job.celery_id)
    return bool(cancelled)


def _send(job: Job, task: Task) -> None:
    try:
        result = task.apply_async((job.pk,), job.params)
    except (BrokerError, *TRANSIENT_ERRORS) as exc:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, error=f"Could not queue the job: {exc}", finished_at=timezone.now()
        )
        job_failures.labels(task.name).inc()
        logger.error("Could not queue job %s: %s", job.pk, exc)
        raise ServiceUnavailable(
            "The job queue is unavailable. The job is recorded as failed; retry it later."
        ) from exc
    Job.objects.filter(pk=job.pk).update(celery_id=result.id)
