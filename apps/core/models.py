import os

from django.contrib.auth.models import AbstractUser
from django.db import models

from .audit import AuditedHistory


class User(AbstractUser):
    """A member of staff; roles are groups (merchandiser, sales, purchasing, warehouse, viewer)."""

    # Audited with the groups and permissions it holds; never the password hash, nor each login.
    history = AuditedHistory(excluded_fields=["password", "last_login"], m2m_fields=["groups", "user_permissions"])


class TimeStampedModel(models.Model):
    """Abstract base that records when a row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class IdempotencyKey(models.Model):
    """The stored answer to a write sent with an Idempotency-Key header, replayed when it is retried."""

    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=100, help_text="The endpoint and object, e.g. purchase-order-receive:42.")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request data.")
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_key_unique")]

    def __str__(self):
        return f"{self.scope} {self.key}"


class Job(models.Model):
    """A piece of background work someone can see: who asked, what, where it stands, what came out."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.QUEUED, Status.RUNNING)

    task = models.CharField(max_length=200, help_text="The Celery task name.")
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    queue = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
        help_text="Empty: the system.",
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    attempts = models.PositiveSmallIntegerField(default=0)
    celery_id = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    history = models.JSONField(default=list, blank=True, help_text="Each failed attempt: when, the error, the delay.")
    result = models.JSONField(null=True, blank=True, help_text="A short summary, e.g. the rows written.")
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="job_requester_recent"),
            models.Index(fields=["status", "-created_at"], name="job_status_recent"),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_status_display().lower()})"

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def result_name(self) -> str:
        return os.path.basename(self.result_file.name) if self.result_file else ""


class DeadLetter(Job):
    """Jobs that failed for good: every retry used up, or an error retrying cannot fix."""

    class Meta:
        proxy = True
        verbose_name = "dead letter"
