"""Assertions and files shared by the tests of every app."""

import csv
from pathlib import Path


def assert_error_shape(response, status_code: int, code: str) -> dict:
    """The response is the one JSON error shape with this status and code, carrying the request id;
    returns its `error` object."""
    assert response.status_code == status_code, response.content[:500]
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (status_code, code)
    assert error["message"]
    assert error["request_id"] == response["X-Request-ID"]
    return error


def write_csv(path: Path, header: list[str], rows) -> Path:
    """A UTF-8 CSV file at `path` with this header row and these rows, for the import tests."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
