from django.urls import reverse
from rest_framework import serializers

from ..models import Job


class JobSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    duration_seconds = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "title",
            "task",
            "queue",
            "status",
            "progress",
            "attempts",
            "requested_by",
            "params",
            "created_at",
            "started_at",
            "finished_at",
            "duration_seconds",
            "error",
            "history",
            "result",
            "download_url",
        ]
        read_only_fields = fields

    def get_duration_seconds(self, job) -> float | None:
        return job.duration.total_seconds() if job.duration else None

    def get_download_url(self, job) -> str | None:
        if not job.result_file:
            return None
        return self.context["request"].build_absolute_uri(reverse("job-download", args=[job.pk]))
