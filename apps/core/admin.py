from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .adminkit import ReadOnlyAdminMixin
from .audit_admin import AuditedAdmin, HistoryAdmin
from .jobs import cancel_job, jobs_visible_to, retry_job
from .models import DeadLetter, IdempotencyKey, Job, User
from .pagination import EstimatedCountPaginator


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_filter = ["is_staff", "is_active", "groups"]
    show_full_result_count = False


@admin.register(User.history.model)
class UserHistoryAdmin(HistoryAdmin):
    """Audit trail of staff accounts: flags, groups and permissions changed, by whom and when."""


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: stored answers to retried writes, for support staff."""

    list_display = ["scope", "key", "user", "status_code", "created_at"]
    list_select_related = ["user"]
    list_filter = ["status_code", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["scope", "key"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator


@admin.register(Job)
class JobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every background job; staff without core.view_job see and act on their own only."""

    list_display = ["title", "status", "progress_percent", "requested_by", "queue", "attempts", "created_at", "took"]
    list_select_related = ["requested_by"]
    list_filter = ["status", "queue", "task", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["title", "task"]
    fields = [
        ("title", "task", "queue"),
        ("status", "progress_percent", "attempts"),
        ("requested_by", "created_at", "started_at", "finished_at", "took"),
        "params",
        "download",
        "result_summary",
        "error",
        "history",
        "celery_id",
    ]
    readonly_fields = ["progress_percent", "took", "download", "result_summary"]
    actions = ["retry", "cancel"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        return jobs_visible_to(request.user, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_retry_permission(self, request):
        return self.has_view_permission(request)  # the queryset already holds only jobs they may act on

    has_cancel_permission = has_retry_permission

    @admin.display(description="Progress")
    def progress_percent(self, job):
        return f"{job.progress}%"

    @admin.display(description="Duration")
    def took(self, job):
        return str(job.duration).split(".")[0] if job.duration else "—"

    @admin.display(description="Result file")
    def download(self, job):
        if not job.result_file:
            return "—"
        return format_html('<a href="{}">Download {}</a>', reverse("job-download", args=[job.pk]), job.result_name)

    @admin.display(description="Result")
    def result_summary(self, job):
        """The result as a table (an import's report: counts, then its first errors), not as raw JSON."""
        return _as_table(job.result) if job.result not in (None, {}, []) else "—"

    @admin.action(description="Retry the selected failed or cancelled jobs", permissions=["retry"])
    def retry(self, request, queryset):
        retried = sum(retry_job(job) for job in queryset)
        self.message_user(request, f"{retried} job(s) queued again.", messages.SUCCESS)

    @admin.action(description="Cancel the selected queued or running jobs", permissions=["cancel"])
    def cancel(self, request, queryset):
        cancelled = sum(cancel_job(job) for job in queryset)
        self.message_user(request, f"{cancelled} job(s) cancelled.", messages.SUCCESS)


RESULT_ROWS_SHOWN = 50  # of a list in a job's result (an import's errors); the rest are in its result file


def _as_table(value):
    """A JSON value as HTML: a dict as a two-column table, a list of dicts as a table with a header."""
    if isinstance(value, dict):
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", ((k, _as_table(v)) for k, v in value.items()))
        return format_html("<table>{}</table>", rows)
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        columns = list(dict.fromkeys(key for item in value[:RESULT_ROWS_SHOWN] for key in item))
        header = format_html_join("", "<th>{}</th>", ((column,) for column in columns))
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            (
                (format_html_join("", "<td>{}</td>", ((item.get(column, ""),) for column in columns)),)
                for item in value[:RESULT_ROWS_SHOWN]
            ),
        )
        more = len(value) - RESULT_ROWS_SHOWN
        tail = format_html("<p>… and {} more (see the result file).</p>", more) if more > 0 else ""
        return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>{}", header, body, tail)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and "\n" in value:
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in value.splitlines()))
    return "—" if value in (None, "") else str(value)


@admin.register(DeadLetter)
class DeadLetterAdmin(JobAdmin):
    """The dead-letter view: jobs that failed for good, newest first, to retry or look into."""

    list_display = ["title", "task", "requested_by", "attempts", "finished_at", "short_error"]
    list_filter = ["task", "queue", ("finished_at", admin.DateFieldListFilter)]
    actions = ["retry"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Job.Status.FAILED)

    @admin.display(description="Error")
    def short_error(self, job):
        return job.error[:120]
