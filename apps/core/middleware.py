"""Request plumbing: request id and Server-Timing on every response; oversized bodies refused."""

import re
import time
import uuid
from contextlib import ExitStack

from django.conf import settings
from django.db import connections
from django.http import HttpResponse, JsonResponse

from .errors import error_body
from .request_context import request_id

# An incoming id is honoured only if it is short and plain, so it is safe in logs and headers.
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# The admin's "Import a file" pages (apps/core/imports/admin.py), the only ones that take large uploads.
_IMPORT_PAGE = re.compile(r"^/admin/[a-z_]+/[a-z_]+/import/$")


class RequestIdMiddleware:
    """Honour an incoming X-Request-ID or create one; expose it to logs and return it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _ACCEPTABLE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # Not reset on the way out: Django logs errors after the middleware returns.
        # CoreConfig.ready() clears it when the request finishes.
        request_id.set(request.id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


class _QueryTimer:
    """An execute wrapper that counts queries and sums their time."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


class ServerTimingMiddleware:
    """Report total time, database time and query count in a Server-Timing header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timer = _QueryTimer()
        start = time.perf_counter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(timer))
            response = self.get_response(request)
        total_ms = (time.perf_counter() - start) * 1000
        response["Server-Timing"] = (
            f'db;dur={timer.seconds * 1000:.1f};desc="{timer.count} queries", total;dur={total_ms:.1f}'
        )
        return response


class RequestSizeLimitMiddleware:
    """Refuse a body over MAX_REQUEST_BODY_SIZE with 413 before anything reads it.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves out uploaded files, which it streams to disk
    whatever their size, and the CSRF check reads a form body before any view decides. A body
    sent without Content-Length (chunked) reaches Django as empty, so the header is all to check.
    The admin's import pages take files up to IMPORT_MAX_UPLOAD_SIZE instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.IMPORT_MAX_UPLOAD_SIZE if _IMPORT_PAGE.match(request.path) else settings.MAX_REQUEST_BODY_SIZE
        if length <= limit:
            return self.get_response(request)
        message = f"The request body is over {limit} bytes."
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(status_code=413, code="request_too_large", message=message), status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
