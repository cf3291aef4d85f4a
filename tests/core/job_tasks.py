"""Tasks only the test worker loads (--include): they fail in controlled ways."""

from celery import shared_task
from django.core.cache import cache

from apps.core.jobs import JobTask, TransientError


@shared_task(base=JobTask, name="tests.flaky")
def flaky(job, failures: int):
    """Fails with a transient error on the first `failures` attempts, then succeeds."""
    if job.attempts <= failures:
        raise TransientError(f"dependency down on attempt {job.attempts}")
    return {"attempts": job.attempts}


@shared_task(base=JobTask, name="tests.needs_input")
def needs_input(job, flag: str):
    """Fails for good (bad input: not retried) until the cache holds `flag`."""
    if not cache.get(flag):
        raise ValueError(f"{flag} is missing")
    return {"flag": cache.get(flag)}
