"""Assertions shared by the API tests of every app."""


def assert_error_shape(response, status_code: int, code: str) -> dict:
    """The response is the one JSON error shape with this status and code, carrying the request id;
    returns its `error` object."""
    assert response.status_code == status_code, response.content[:500]
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (status_code, code)
    assert error["message"]
    assert error["request_id"] == response["X-Request-ID"]
    return error
