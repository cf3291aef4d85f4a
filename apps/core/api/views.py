import django_filters
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ..jobs import cancel_job, jobs_visible_to, retry_job
from ..models import Job
from ..pagination import CursorPagination
from .serializers import JobSerializer

# What result files come as: the type is guessed from the file name (reports write CSV or XLSX).
DOWNLOAD_TYPES = (
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
)


class JobFilterSet(django_filters.FilterSet):
    class Meta:
        model = Job
        fields = ["status", "task", "queue"]


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """Background jobs: your own, or everyone's with core.view_job. Failed ones can be retried."""

    queryset = Job.objects.all()  # the model, for the schema; get_queryset() picks whose jobs
    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]  # which jobs: get_queryset; what to do with them: the actions
    filterset_class = JobFilterSet
    pagination_class = CursorPagination
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    ratelimit_scope = {"download": "expensive"}  # RATELIMIT_EXPENSIVE: streams a whole file

    def get_queryset(self):
        return jobs_visible_to(self.request.user, Job.objects.select_related("requested_by"))

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Queue a failed or cancelled job again."""
        job = self.get_object()
        if not retry_job(job):
            raise exceptions.ValidationError(
                {"status": [f"Only failed or cancelled jobs can be retried; this one is {job.status}."]}
            )
        job.refresh_from_db()
        return Response(self.get_serializer(job).data, status=202)

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a queued or running job."""
        job = self.get_object()
        if not cancel_job(job):
            raise exceptions.ValidationError(
                {"status": [f"Only queued or running jobs can be cancelled; this one is {job.status}."]}
            )
        job.refresh_from_db()
        return Response(self.get_serializer(job).data)

    @extend_schema(responses={(200, content_type): OpenApiTypes.BINARY for content_type in DOWNLOAD_TYPES})
    @action(detail=True)
    def download(self, request, pk=None):
        """The job's result file."""
        job = self.get_object()
        if not job.result_file:
            raise exceptions.NotFound("This job has no result file (yet).")
        return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_name)
