import pytest

from apps.core.models import Job
from tests.core.factories import JobFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_job_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    assert_queries_constant(staff_client, "/admin/core/job/", JobFactory.create_batch)


def test_dead_letter_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    assert_queries_constant(
        staff_client, "/admin/core/deadletter/", lambda n: JobFactory.create_batch(n, status=Job.Status.FAILED)
    )


def test_dead_letters_list_only_failed_jobs(staff_client):
    failed = JobFactory(status=Job.Status.FAILED, error="ValueError: bad file")
    JobFactory(status=Job.Status.SUCCEEDED)

    response = staff_client.get("/admin/core/deadletter/")

    assert list(response.context["cl"].result_list) == [failed]
    assert b"ValueError: bad file" in response.content


def test_staff_without_view_job_see_only_their_own_jobs(client):
    user = UserFactory(roles=["sales"], is_staff=True)
    mine = JobFactory(requested_by=user)
    JobFactory()
    client.force_login(user)

    response = client.get("/admin/core/job/")

    assert list(response.context["cl"].result_list) == [mine]


def test_retrying_a_failed_job_from_the_admin_runs_it_again(staff_client, django_capture_on_commit_callbacks):
    # Tests run tasks inline (CELERY_TASK_ALWAYS_EAGER); the real-worker version is in test_jobs_worker.py.
    job = JobFactory(status=Job.Status.FAILED, params={"report": "below_reorder_level", "file_format": "csv"})

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/admin/core/job/", {"action": "retry", "_selected_action": [job.pk]}, follow=True)

    assert "1 job(s) queued again." in response.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result_file.name.endswith(".csv")


def test_job_page_offers_the_download(staff_client):
    job = JobFactory(with_file=True)

    response = staff_client.get(f"/admin/core/job/{job.pk}/change/")

    assert f'href="/api/v1/jobs/{job.pk}/download/"'.encode() in response.content
