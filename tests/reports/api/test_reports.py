import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.models import Job
from tests.helpers import assert_error_shape
from tests.inventory.factories import MaterialFactory, ReceiptFactory
from tests.orders.factories import order_with_lines

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"


@pytest.fixture
def low_stock():
    """FAB1: 40 on hand against a reorder level of 100 (short 60); FAB2 has plenty."""
    ReceiptFactory(material=MaterialFactory(code="FAB1", name="Poplin", reorder_level=Decimal("100")), quantity=40)
    ReceiptFactory(material=MaterialFactory(code="FAB2", name="Twill", reorder_level=Decimal("10")), quantity=50)


def test_reports_require_authentication(api_client):
    assert_error_shape(api_client.get(URL), 401, "not_authenticated")


def test_each_user_is_offered_the_reports_their_role_may_read(client_for):
    # A report needs the view permission on what it summarises; every role may view orders and stock.
    purchasing = {report["key"] for report in client_for("purchasing").get(URL).json()}

    assert {"inventory_valuation", "below_reorder_level", "open_purchase_orders_by_supplier"} <= purchasing
    assert client_for().get(URL).json() == []


def test_a_report_the_user_may_not_read_is_403(client_for):
    assert_error_shape(client_for().get(f"{URL}sales_by_buyer_month/"), 403, "permission_denied")
    assert_error_shape(client_for().post(f"{URL}sales_by_buyer_month/run/"), 403, "permission_denied")


def test_an_unknown_report_is_404(client_for):
    assert_error_shape(client_for("sales").get(f"{URL}no_such_report/"), 404, "not_found")


def test_a_snapshot_report_answers_directly(client_for, low_stock):
    body = client_for("warehouse").get(f"{URL}below_reorder_level/").json()

    assert body["columns"] == ["Material code", "Material name", "Unit", "On hand", "Reorder level", "Shortfall"]
    assert body["rows"] == [["FAB1", "Poplin", "m", "40.000", "100.000", "60.000"]]


def test_a_direct_answer_is_cached_until_its_data_changes(client_for, low_stock, django_assert_max_num_queries):
    client = client_for("warehouse")
    url = f"{URL}below_reorder_level/"
    client.get(url)

    with django_assert_max_num_queries(2):  # session and user only: the rows come from Redis
        assert client.get(url).json()["rows"][0][3] == "40.000"

    ReceiptFactory(material=MaterialFactory(code="FAB1"), quantity=5)
    assert client.get(url).json()["rows"][0][3] == "45.000"


def test_a_short_dated_range_answers_directly(client_for):
    today = timezone.localdate()
    order_with_lines(lines=1, order_date=today)
    body = (
        client_for("sales")
        .get(f"{URL}order_book_by_status/", {"date_from": today - timedelta(days=30), "date_to": today})
        .json()
    )

    assert body["date_from"] == str(today - timedelta(days=30))
    assert len(body["rows"]) == 1


@pytest.mark.parametrize(
    "params",
    [{}, {"date_from": "2025-01-01"}, {"date_from": "2025-01-01", "date_to": "2025-12-31"}],
    ids=["open", "open-ended", "a-year"],
)
def test_a_long_or_open_range_must_run_as_a_job(client_for, params):
    response = client_for("sales").get(f"{URL}order_book_by_status/", params)

    error = assert_error_shape(response, 400, "too_large_for_direct_answer")
    assert "run" in error["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"date_from": "2025-13-01"}, "date_from"), ({"date_from": "2025-02-01", "date_to": "2025-01-01"}, "date_to")],
)
def test_bad_dates_are_400_with_field_errors(client_for, params, field):
    error = assert_error_shape(client_for("sales").get(f"{URL}order_book_by_status/", params), 400, "invalid")
    assert field in error["fields"]


def test_running_a_report_returns_a_job_that_produces_the_file(
    client_for, low_stock, django_capture_on_commit_callbacks
):
    client = client_for("purchasing")
    with django_capture_on_commit_callbacks(execute=True):  # tests run tasks inline; see test_report_jobs.py
        response = client.post(f"{URL}below_reorder_level/run/", {"file_format": "csv"}, format="json")

    assert response.status_code == 202
    job_url = response["Location"]
    job = client.get(job_url).json()
    assert (job["status"], job["queue"], job["result"]) == ("succeeded", "high", {"rows": 1})
    download = client.get(job["download_url"])
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == ["FAB1", "Poplin", "m", "40.000", "100.000", "60.000"]


def test_run_refuses_an_unknown_format_and_creates_no_job(client_for):
    response = client_for("sales").post(f"{URL}sales_by_buyer_month/run/", {"file_format": "pdf"}, format="json")

    error = assert_error_shape(response, 400, "invalid")
    assert "file_format" in error["fields"]
    assert not Job.objects.exists()


@pytest.fixture
def broker_down():
    """Tasks are sent for real (not inline) to a broker address where nothing listens."""
    from erp.celery import app

    saved = app.conf.task_always_eager, app.conf.broker_url, app._pool, app.amqp._producer_pool
    app.conf.task_always_eager, app.conf.broker_url = False, "redis://127.0.0.1:1/0"
    app._pool = app.amqp._producer_pool = None  # both pools hold connections to the old address
    yield
    app.conf.task_always_eager, app.conf.broker_url, app._pool, app.amqp._producer_pool = saved


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the job is sent on commit, inside the request
def test_run_is_503_and_the_job_recorded_failed_when_the_broker_is_down(client_for, broker_down):
    response = client_for("sales").post(f"{URL}sales_by_buyer_month/run/", {"date_from": "2025-01-01"}, format="json")

    assert_error_shape(response, 503, "service_unavailable")
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("Could not queue the job")
