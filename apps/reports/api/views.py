from decimal import Decimal

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from apps.core.api.serializers import JobSerializer
from apps.core.jobs import start_job

from ..definitions import REPORTS
from ..selectors import TooLargeForDirectAnswer, direct_rows
from ..tasks import generate
from .serializers import ReportRangeSerializer, ReportRowsSerializer, ReportRunSerializer, ReportSerializer


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "too_large_for_direct_answer"


class ReportViewSet(viewsets.ViewSet):
    """Reports: small ranges answer at once as JSON; POST …/run/ builds a CSV or XLSX file as a job.

    Each report needs the view permission on the data it summarises.
    """

    permission_classes = [IsAuthenticated]
    lookup_field = "key"
    lookup_value_regex = "[a-z_]+"
    ratelimit_scope = {"retrieve": "expensive", "run": "expensive"}  # RATELIMIT_EXPENSIVE: aggregates over whole tables

    def _visible(self):
        return [report for report in REPORTS.values() if self.request.user.has_perm(report.permission)]

    def _report(self, key):
        report = REPORTS.get(key)
        if report is None:
            raise exceptions.NotFound(f"No report named {key!r}.")
        if not self.request.user.has_perm(report.permission):
            raise exceptions.PermissionDenied(f"This report needs the {report.permission} permission.")
        return report

    @extend_schema(responses=ReportSerializer(many=True))
    def list(self, request):
        """The reports you may run."""
        return Response(ReportSerializer(self._visible(), many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", str, description="YYYY-MM-DD, inclusive"),
            OpenApiParameter("date_to", str, description="YYYY-MM-DD, inclusive"),
        ],
        responses=ReportRowsSerializer,
    )
    def retrieve(self, request, key=None):
        """The report's rows for a short range, from the cache while its data is unchanged."""
        report = self._report(key)
        params = ReportRangeSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            rows = direct_rows(report, params.validated_data["date_from"], params.validated_data["date_to"])
        except TooLargeForDirectAnswer as too_large:
            raise TooLarge(str(too_large)) from too_large
        rows = [[str(value) if isinstance(value, Decimal) else value for value in row] for row in rows]
        return Response({**ReportSerializer(report).data, **params.validated_data, "rows": rows})

    @extend_schema(request=ReportRunSerializer, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def run(self, request, key=None):
        """Build the report as a CSV or XLSX file in a background job; poll the job, then download."""
        report = self._report(key)
        params = ReportRunSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        values = {name: value and str(value) for name, value in params.validated_data.items()}
        job = start_job(generate, title=report.title, user=request.user, report=report.key, **values)
        job.refresh_from_db()
        headers = {"Location": reverse("job-detail", args=[job.pk])}
        return Response(JobSerializer(job, context={"request": request}).data, status=202, headers=headers)
