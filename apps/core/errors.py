"""One JSON error shape for every 4xx/5xx under /api/:

    {"error": {"status": 400, "code": "invalid", "message": "...",
               "fields": {"email": ["Enter a valid email address."]}, "request_id": "..."}}

`fields` is present only for validation errors.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from .request_context import request_id

logger = logging.getLogger(__name__)


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A service this request needs is unavailable. Try again shortly."
    default_code = "service_unavailable"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the data."
    default_code = "conflict"


def error_body(*, status_code: int, code: str, message: str, fields: dict | None = None) -> dict:
    error = {"status": status_code, "code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    error["request_id"] = request_id.get()
    return {"error": error}


def api_exception_handler(exc, context):
    """DRF's handler, with service errors translated and every body in the one shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, OperationalError):
        logger.warning("Database unavailable: %s", exc)
        exc = ServiceUnavailable("The database is unavailable or too slow. Try again shortly.")
    elif isinstance(exc, IntegrityError):
        logger.info("Integrity error turned into 409: %s", exc)
        exc = Conflict()

    response = exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django logs it and handler500 answers in the same shape

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(
            status_code=response.status_code, code="invalid", message="Invalid input.", fields=detail
        )
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        response.data = error_body(status_code=response.status_code, code=code, message=str(exc.detail))
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = "5"
    return response


def _api_or_html(status_code: int, code: str, message: str, html_view):
    """A Django error handler that answers JSON under /api/ and the usual page elsewhere."""

    def handler(request, exception=None):
        if request.path.startswith("/api/"):
            body = error_body(status_code=status_code, code=code, message=message)
            return JsonResponse(body, status=status_code)
        return html_view(request) if exception is None else html_view(request, exception)

    return handler


bad_request = _api_or_html(400, "bad_request", "Bad request.", defaults.bad_request)
permission_denied = _api_or_html(403, "permission_denied", "Permission denied.", defaults.permission_denied)
page_not_found = _api_or_html(404, "not_found", "Not found.", defaults.page_not_found)
server_error = _api_or_html(500, "server_error", "Internal server error.", defaults.server_error)
