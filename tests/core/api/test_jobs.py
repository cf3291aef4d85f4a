import pytest

from apps.core.models import Job
from tests.core.factories import JobFactory
from tests.factories import UserFactory
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

URL = "/api/v1/jobs/"


def test_jobs_require_authentication(api_client):
    assert_error_shape(api_client.get(URL), 401, "not_authenticated")


def test_a_user_sees_only_their_own_jobs(api_client):
    user = UserFactory(roles=["sales"])
    mine = JobFactory(requested_by=user)
    others = JobFactory()
    api_client.force_authenticate(user)

    listed = api_client.get(URL).json()["results"]

    assert [job["id"] for job in listed] == [mine.pk]
    assert_error_shape(api_client.get(f"{URL}{others.pk}/"), 404, "not_found")
    assert_error_shape(api_client.post(f"{URL}{others.pk}/retry/"), 404, "not_found")


def test_holders_of_view_job_see_everyone_s_jobs(api_client):
    jobs = JobFactory.create_batch(3)
    api_client.force_authenticate(UserFactory(is_superuser=True))

    listed = api_client.get(URL).json()["results"]

    assert {job["id"] for job in listed} == {job.pk for job in jobs}
    assert listed[0]["requested_by"] == jobs[-1].requested_by.username  # newest first


def test_job_list_filters_by_status(api_client):
    user = UserFactory()
    JobFactory(requested_by=user, status=Job.Status.FAILED)
    JobFactory(requested_by=user, status=Job.Status.SUCCEEDED)
    api_client.force_authenticate(user)

    listed = api_client.get(URL, {"status": "failed"}).json()["results"]

    assert [job["status"] for job in listed] == ["failed"]


def test_job_list_query_count_is_the_same_for_5_and_50_rows(api_client, assert_queries_constant):
    user = UserFactory(roles=["sales"])
    api_client.force_login(user)

    assert_queries_constant(api_client, URL, lambda n: JobFactory.create_batch(n, requested_by=user))


def test_download_streams_the_result_file(api_client):
    job = JobFactory(with_file=True)
    api_client.force_authenticate(job.requested_by)

    response = api_client.get(f"{URL}{job.pk}/download/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="r')
    assert b"".join(response.streaming_content) == b"code,name\r\nFAB1,Poplin\r\n"
    body = api_client.get(f"{URL}{job.pk}/").json()
    assert body["download_url"] == f"http://testserver{URL}{job.pk}/download/"


def test_download_without_a_file_is_404(api_client):
    job = JobFactory()
    api_client.force_authenticate(job.requested_by)

    assert_error_shape(api_client.get(f"{URL}{job.pk}/download/"), 404, "not_found")


def test_only_failed_or_cancelled_jobs_can_be_retried(api_client):
    job = JobFactory(status=Job.Status.SUCCEEDED)
    api_client.force_authenticate(job.requested_by)

    error = assert_error_shape(api_client.post(f"{URL}{job.pk}/retry/"), 400, "invalid")

    assert "succeeded" in error["fields"]["status"][0]
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED


def test_cancelling_a_queued_job(api_client):
    job = JobFactory()
    api_client.force_authenticate(job.requested_by)

    response = api_client.post(f"{URL}{job.pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert_error_shape(api_client.post(f"{URL}{job.pk}/cancel/"), 400, "invalid")
