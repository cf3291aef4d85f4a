"""What the schemathesis run found, pinned down one by one so none comes back unnoticed."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

DATETIME_FILTERS = [
    ("/api/v1/buyers/", "created_after"),
    ("/api/v1/buyers/", "created_before"),
    ("/api/v1/stock-movements/", "created_after"),
    ("/api/v1/orders/", "created_after"),
    ("/api/v1/samples/", "created_before"),
]


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(("url", "name"), DATETIME_FILTERS)
def test_a_datetime_filter_takes_any_utc_offset(client_for, url, name):
    """Python accepts offsets up to ±23:59, PostgreSQL up to ±15:59: "-20:15" was a 500 (DataError)."""
    response = client_for("staff_admin").get(url, {name: "1739-03-30T05:47:55.08-20:15"})
    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize(("url", "name"), DATETIME_FILTERS)
def test_a_datetime_filter_outside_the_calendar_in_utc_is_invalid_input(client_for, url, name):
    response = client_for("staff_admin").get(url, {name: "0001-01-01T00:00:00+05:00"})  # year 0 in UTC
    error = assert_error_shape(response, 400, "invalid")
    [field] = error["fields"]
    assert name.startswith(field)  # a range filter (created_after/_before) reports as "created"


def test_every_operation_documents_its_errors_in_the_one_shape(openapi):
    assert "Error" in openapi["components"]["schemas"]
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"429", "503"} <= codes, f"{method} {path}"
            if "{" in path:
                assert "404" in codes, f"{method} {path}"
            if method in ("post", "put", "patch", "delete"):
                assert {"400", "409"} <= codes, f"{method} {path}"
            error = operation["responses"]["503"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}


def test_a_plain_read_of_one_row_documents_no_400(openapi):
    assert "400" not in openapi["paths"]["/api/v1/buyers/{id}/"]["get"]["responses"]


def test_retrying_a_job_is_documented_as_202(openapi):
    assert set(openapi["paths"]["/api/v1/jobs/{id}/retry/"]["post"]["responses"]) >= {"202"}
    assert "200" not in openapi["paths"]["/api/v1/jobs/{id}/retry/"]["post"]["responses"]


def test_a_job_download_documents_the_file_types_it_sends(openapi):
    content = openapi["paths"]["/api/v1/jobs/{id}/download/"]["get"]["responses"]["200"]["content"]
    assert {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= set(content)


def test_a_report_s_rows_are_documented(openapi):
    schema = openapi["paths"]["/api/v1/reports/{key}/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"] == {"$ref": "#/components/schemas/ReportRows"}
    assert {"rows", "columns", "date_from", "date_to"} <= set(
        openapi["components"]["schemas"]["ReportRows"]["properties"]
    )
