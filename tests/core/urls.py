"""The project's URLs plus views that fail on purpose, for error-handling tests."""

from django.db import connection, transaction
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from erp.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


@api_view(["GET"])
@permission_classes([AllowAny])
def crash(request):
    raise RuntimeError("boom")


@api_view(["GET"])
@permission_classes([AllowAny])
def slow_query(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(2)")
    return Response({"done": True})


@api_view(["GET"])
@permission_classes([AllowAny])
def statement_timeout(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
        return Response({"statement_timeout_ms": int(cursor.fetchone()[0])})


urlpatterns = [
    *urlpatterns,
    path("api/test/crash/", crash),
    path("api/test/slow-query/", slow_query),
    path("api/test/statement-timeout/", statement_timeout),
]
