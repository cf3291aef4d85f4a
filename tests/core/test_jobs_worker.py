"""Jobs on a real Celery worker (not eager): retries with growing delays, failure for good, retry by hand."""

from datetime import datetime

import pytest
from django.core.cache import cache

from apps.core.jobs import retry_job, start_job
from apps.core.models import Job
from tests.core.job_tasks import flaky, needs_input
from tests.factories import UserFactory
from tests.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def finished(job):
    def check():
        job.refresh_from_db()
        return job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED)

    return check


def test_transient_failures_are_retried_with_growing_delays_then_succeed(celery_worker):
    job = start_job(flaky, title="Flaky", user=UserFactory(), failures=3)

    wait_for(finished(job))

    assert job.status == Job.Status.SUCCEEDED
    assert job.attempts == 4
    assert job.result is None or job.result == {"attempts": 4}
    delays = [entry["retry_in"] for entry in job.history]
    assert len(delays) == 3
    assert delays == sorted(delays) and len(set(delays)) == 3, delays  # each longer than the one before
    # Each attempt began no sooner than the delay the previous failure asked for.
    failed_at = [datetime.fromisoformat(entry["at"]) for entry in job.history]
    for earlier, later, delay in zip(failed_at, failed_at[1:], delays, strict=False):
        assert (later - earlier).total_seconds() >= delay - 0.05
    assert job.history[0]["error"] == "TransientError: dependency down on attempt 1"


def test_a_job_failing_for_good_is_not_retried_and_can_be_retried_by_hand(celery_worker):
    job = start_job(needs_input, title="Needs input", user=UserFactory(), flag="job-input")

    wait_for(finished(job))
    assert job.status == Job.Status.FAILED
    assert job.attempts == 1  # bad input: no automatic retry
    assert job.error == "ValueError: job-input is missing"
    assert job.finished_at is not None
    assert list(Job.objects.filter(status=Job.Status.FAILED)) == [job]  # what the dead-letter view lists

    cache.set("job-input", "supplied", 300)
    assert retry_job(job)
    wait_for(finished(job))

    assert job.status == Job.Status.SUCCEEDED
    assert job.attempts == 2
    assert job.error == ""
    assert job.history[0]["error"] == "ValueError: job-input is missing"  # the earlier failure stays on record
