"""A report job on a real Celery worker: queued, running, succeeded, and its file downloads."""

import io

import psycopg
import pytest
from django.db import connection
from openpyxl import load_workbook

from apps.core.models import Job
from tests.orders.factories import order_with_lines
from tests.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def other_connection() -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        host=params["HOST"],
        port=params["PORT"] or None,
        password=params["PASSWORD"] or None,
    )


def test_a_report_job_goes_queued_running_succeeded_and_its_file_downloads(client_for, celery_worker):
    order = order_with_lines(lines=2, status="confirmed")
    client = client_for("sales")

    # Another session holds the orders table, so the worker's query waits and each state can be seen.
    with other_connection() as locker:
        locker.execute("LOCK TABLE orders_order IN ACCESS EXCLUSIVE MODE")
        response = client.post(
            "/api/v1/reports/sales_by_buyer_month/run/",
            {"file_format": "xlsx", "date_from": "2000-01-01"},
            format="json",
        )
        assert response.status_code == 202
        assert response.json()["status"] == "queued"
        job = Job.objects.get(pk=response.json()["id"])
        wait_for(lambda: Job.objects.filter(pk=job.pk, status="running", progress=5).exists())
        locker.rollback()

    body = wait_for(lambda: (b := client.get(f"/api/v1/jobs/{job.pk}/").json())["status"] == "succeeded" and b)
    assert body["result"] == {"rows": 1}
    assert body["queue"] == "high"
    assert body["attempts"] == 1
    assert body["duration_seconds"] > 0

    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith(
        f'attachment; filename="sales_by_buyer_month-2000-01-01-today-job{job.pk}'
    )
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).active
    header, row = sheet.iter_rows(values_only=True)
    assert header == ("Buyer code", "Buyer name", "Month", "Currency", "Orders", "Pieces", "Amount")
    assert row[:5] == (order.buyer.code, order.buyer.name, order.order_date.strftime("%Y-%m"), order.currency, 1)
    assert row[6] == pytest.approx(float(order.total))
