"""Exports and imports in the admin: the export actions, "Export this list", and "Import a file" as a job."""

import codecs
import csv
import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.buyers.models import Buyer
from apps.core.models import Job
from apps.core.tasks import cleanup_jobs
from tests.buyers.factories import BuyerFactory
from tests.factories import UserFactory
from tests.inventory.factories import MaterialFactory
from tests.orders.factories import order_with_lines
from tests.purchasing.factories import SupplierFactory
from tests.samples.factories import StyleMaterialFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/buyers/buyer/"
IMPORT_PAGE = "/admin/buyers/buyer/import/"


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def export_selected(client, fmt: str, buyers):
    return client.post(CHANGELIST, {"action": f"export_selected_{fmt}", "_selected_action": [b.pk for b in buyers]})


# --- Exports -------------------------------------------------------------------------------------


def test_export_selected_as_csv_writes_the_import_columns_of_the_selection(staff_client):
    chosen = [BuyerFactory(code="ACME", name='Acme, "Best"'), BuyerFactory(code="ZARA")]
    BuyerFactory(code="OTHER")

    response = export_selected(staff_client, "csv", chosen)

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="buyers-')
    header, *rows = read_csv(body(response))
    assert header == ["code", "name", "company", "country", "currency", "email", "payment_terms", "is_active"]
    assert [row[:2] for row in rows] == [["ACME", 'Acme, "Best"'], ["ZARA", chosen[1].name]]


def test_export_selected_as_xlsx_gives_a_typed_workbook(staff_client):
    chosen = [BuyerFactory(code="ACME", name="Acme"), BuyerFactory(code="ZARA", is_active=False)]

    response = export_selected(staff_client, "xlsx", chosen)

    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="buyers-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("code", "name")
    assert [(row[0], row[-1]) for row in rows[1:]] == [("ACME", True), ("ZARA", False)]


def test_export_selected_orders_writes_a_row_per_line(staff_client):
    order = order_with_lines(lines=3, buyer_reference="PO-7")
    order_with_lines(lines=1, buyer_reference="PO-8")

    response = staff_client.post(
        "/admin/orders/order/", {"action": "export_selected_csv", "_selected_action": [order.pk]}
    )

    header, *rows = read_csv(body(response))
    reference = header.index("buyer_reference")
    assert [row[reference] for row in rows] == ["PO-7"] * 3


def test_export_this_list_honours_the_changelist_filters_and_search_on_every_page(staff_client):
    euro = BuyerFactory.create_batch(3, currency="EUR")
    BuyerFactory(currency="GBP")
    BuyerFactory(currency="EUR", is_active=False)
    query = {"currency": "EUR", "is_active__exact": "1", "p": "2"}  # a page number is dropped, not an error

    response = staff_client.get(f"{CHANGELIST}export/csv/", query)

    assert response.status_code == 200
    assert sorted(row[0] for row in read_csv(body(response))[1:]) == sorted(buyer.code for buyer in euro)

    searched = staff_client.get(f"{CHANGELIST}export/xlsx/", {"q": euro[0].code})
    sheet = load_workbook(io.BytesIO(body(searched)), read_only=True).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [euro[0].code]


def test_the_changelist_links_to_the_exports_with_its_filters_and_to_the_import(staff_client):
    response = staff_client.get(CHANGELIST, {"currency": "EUR", "p": "1"})

    page = response.content.decode()
    assert 'href="/admin/buyers/buyer/export/csv/?currency=EUR"' in page
    assert 'href="/admin/buyers/buyer/export/xlsx/?currency=EUR"' in page
    assert f'href="{IMPORT_PAGE}"' in page
    assert "Export selected as CSV" in page


def test_export_this_list_with_a_bad_filter_goes_back_to_the_changelist(staff_client):
    response = staff_client.get(f"{CHANGELIST}export/csv/", {"no_such_field": "x"})
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?e=1"


def test_the_csv_export_streams_with_queries_that_do_not_grow_with_rows(staff_client):
    counts, made = [], 0
    for total in (5, 200):
        BuyerFactory.create_batch(total - made)
        made = total
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(f"{CHANGELIST}export/csv/")
            assert isinstance(response, StreamingHttpResponse)
            assert len(read_csv(body(response))) == total + 1
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_staff_who_cannot_view_buyers_cannot_export_them(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(f"{CHANGELIST}export/csv/").status_code == 403


# --- Imports -------------------------------------------------------------------------------------

GOOD_FILE = b"Code;Name;Country;Currency;Terms\nACME;Acme Apparel;GB;GBP;net_30\nZARA;Zara Moda;ES;EUR;\n"
BAD_FILE = (
    b"code,name,country,currency,payment_terms\n"
    b"ACME,Acme Apparel,GB,GBP,net_30\n"
    b"BAD,Bad Buyer,GB,EURO,someday\n"
    b",No Code,GB,GBP,\n"
)


def upload(client, content: bytes, name="buyers.csv", **fields):
    data = {"file": SimpleUploadedFile(name, content), "existing": "compare", **fields}
    return client.post(IMPORT_PAGE, data)


def test_the_import_page_shows_the_form_and_the_columns(staff_client):
    response = staff_client.get(IMPORT_PAGE)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page
    assert "payment_terms" in page and "customer code" in page  # a column and one of its aliases


def test_the_import_template_has_the_header_and_an_example_row(staff_client):
    header, example = read_csv(body(staff_client.get(f"{IMPORT_PAGE}template/")))
    assert header[:2] == ["code", "name"]
    assert example[:2] == ["ACME", "Acme Apparel"]


def test_an_upload_runs_as_a_job_whose_page_shows_the_report(staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(staff_client, GOOD_FILE)

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:core_job_change", args=[job.pk])
    assert job.task == "core.import_file"
    assert job.queue == "default"
    assert job.title == "Import buyers from buyers.csv"
    assert job.status == Job.Status.SUCCEEDED  # tests run tasks inline, as `make run` does
    assert job.params["upload"].startswith("imports/")
    assert (job.result["created"], job.result["failed"], job.result["ok"]) == (2, 0, True)
    assert sorted(Buyer.objects.values_list("code", "payment_terms")) == [("ACME", "net_30"), ("ZARA", "net_60")]
    assert not job.result_file  # no errors, no error file
    history = Buyer.history.filter(code="ACME").get()
    assert (history.history_user.username, history.history_change_reason) == ("admin", f"IMPORT {job.title}")

    page = staff_client.get(response["Location"]).content.decode()
    assert "Created 2, updated 0, unchanged 0, skipped 0, failed 0." in page

    with django_capture_on_commit_callbacks(execute=True):
        upload(staff_client, GOOD_FILE)
    again = Job.objects.latest("pk")
    assert (again.result["created"], again.result["unchanged"]) == (0, 2)
    assert "Nothing changed." in again.result["summary"]


def test_an_upload_with_bad_rows_reports_them_and_offers_the_errors_as_csv(
    staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(staff_client, BAD_FILE)

    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED  # the job ran; the report says what failed
    assert (job.result["created"], job.result["failed"], job.result["ok"]) == (1, 2, False)
    assert list(Buyer.objects.values_list("code", flat=True)) == ["ACME"]
    assert job.result_name == f"buyers-import-errors-job{job.pk}.csv"

    page = staff_client.get(response["Location"]).content.decode()
    assert "failed 2" in page
    assert "currency" in page and "EURO" in page  # the errors table
    download = staff_client.get(reverse("job-download", args=[job.pk]))
    header, *errors = read_csv(body(download))
    assert header == ["row", "column", "value", "message"]
    assert {(row, column) for row, column, _, _ in errors} >= {("3", "currency"), ("3", "payment_terms"), ("4", "code")}


def test_a_strict_dry_run_writes_nothing(staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(staff_client, GOOD_FILE, dry_run="on", strict="on", existing="update")

    job = Job.objects.get()
    assert job.title == "Dry run: import buyers from buyers.csv"
    assert job.params | {"upload": None} == {
        "resource": "buyers",
        "upload": None,
        "file_format": "",
        "encoding": "",
        "delimiter": "",
        "existing": "update",
        "dry_run": True,
        "strict": True,
    }
    assert (job.result["created"], job.result["written"]) == (2, False)
    assert not Buyer.objects.exists()


def test_an_import_form_with_a_bad_encoding_is_shown_again(staff_client):
    response = upload(staff_client, GOOD_FILE, encoding="klingon")
    assert response.status_code == 200
    assert "Unknown encoding" in response.content.decode()
    assert not Job.objects.exists()


def test_staff_who_cannot_add_buyers_cannot_import_them(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(IMPORT_PAGE).status_code == 403
    assert client.post(IMPORT_PAGE, {"file": SimpleUploadedFile("b.csv", GOOD_FILE)}).status_code == 403


def test_the_import_page_takes_uploads_over_the_general_body_limit(staff_client, settings):
    settings.MAX_REQUEST_BODY_SIZE = 2000
    settings.IMPORT_MAX_UPLOAD_SIZE = 20_000
    big = GOOD_FILE + b"".join(f"B{n:04d},Buyer {n},GB,GBP,\n".encode() for n in range(150))
    assert 2000 < len(big) < 20_000

    assert upload(staff_client, big, dry_run="on").status_code == 302
    assert upload(staff_client, big * 10, dry_run="on").status_code == 413
    assert staff_client.post(CHANGELIST, {"q": "x" * 3000}).status_code == 413  # elsewhere, the general limit


def test_cleanup_deletes_an_old_import_job_s_uploaded_file(staff_client, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(staff_client, BAD_FILE)
    job = Job.objects.get()
    assert default_storage.exists(job.params["upload"]) and job.result_file
    Job.objects.update(created_at=timezone.now() - timedelta(days=settings.JOB_RETENTION_DAYS + 1))

    assert cleanup_jobs() == 1
    assert not default_storage.exists(job.params["upload"])
    assert not default_storage.exists(job.result_file.name)


@pytest.mark.parametrize(
    ("changelist", "make", "first_column"),
    [
        ("/admin/buyers/buyer/", lambda: BuyerFactory(), "code"),
        ("/admin/purchasing/supplier/", lambda: SupplierFactory(), "code"),
        ("/admin/inventory/material/", lambda: MaterialFactory(), "code"),
        ("/admin/samples/style/", lambda: StyleMaterialFactory(), "code"),
        ("/admin/orders/order/", lambda: order_with_lines(lines=2, buyer_reference="PO-1"), "buyer_code"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_resource_admin_exports_its_list(staff_client, changelist, make, first_column, fmt):
    make()
    page = staff_client.get(changelist).content.decode()
    assert f'href="{changelist}export/{fmt}/"' in page and f'href="{changelist}import/"' in page

    response = staff_client.get(f"{changelist}export/{fmt}/")

    assert response.status_code == 200
    if fmt == "csv":
        header, *rows = read_csv(body(response))
    else:
        header, *rows = load_workbook(io.BytesIO(body(response)), read_only=True).active.iter_rows(values_only=True)
    assert header[0] == first_column
    assert rows
