"""An admin import on a real Celery worker: the upload is saved, the job runs there and records its report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.buyers.models import Buyer
from apps.core.models import Job
from tests.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_admin_import_runs_on_the_worker_and_records_its_report(staff_client, celery_worker):
    content = b"code,name,country,currency\nACME,Acme Apparel,GB,GBP\nBAD,Bad,GB,EURO\n"

    response = staff_client.post(
        "/admin/buyers/buyer/import/", {"file": SimpleUploadedFile("buyers.csv", content), "existing": "compare"}
    )

    assert response.status_code == 302
    job = Job.objects.get(task="core.import_file")
    wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=["succeeded", "failed"]).exists())
    job.refresh_from_db()
    assert (job.status, job.queue, job.attempts, job.progress) == ("succeeded", "default", 1, 100)
    assert (job.result["created"], job.result["failed"]) == (1, 1)
    assert job.result["errors"][0]["row"] == 3
    assert job.result_file.name.endswith(f"buyers-import-errors-job{job.pk}.csv")
    assert list(Buyer.objects.values_list("code", flat=True)) == ["ACME"]
    history = Buyer.history.get()
    assert history.history_user.username == "admin"  # the job's writes are the requester's in the audit trail
