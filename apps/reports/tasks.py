"""Report files built on workers, the nightly refresh of cached figures, and the low-stock check."""

import tempfile

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.utils.dateparse import parse_date

from apps.core.jobs import JobTask, report_progress
from apps.core.models import Job
from apps.core.tasks import send_email
from apps.core.writers import FORMATS, write

from . import dashboard, selectors
from .definitions import REPORTS, get_report


@shared_task(
    base=JobTask,
    name="reports.generate",
    soft_time_limit=settings.REPORT_TIME_LIMIT,
    time_limit=settings.REPORT_TIME_LIMIT + 60,
)
def generate(job: Job, report: str, file_format: str, date_from: str | None = None, date_to: str | None = None):
    definition = get_report(report)
    report_progress(job, 5)
    rows = definition.rows(date_from and parse_date(date_from), date_to and parse_date(date_to))
    # Rows stream from the database cursor into a file on disk: memory stays flat however long the report.
    with tempfile.TemporaryFile() as spool:
        written = write(file_format, definition.columns, rows, spool, title=definition.title)
        report_progress(job, 90)
        spool.seek(0)
        name = f"{report}-{date_from or 'start'}-{date_to or 'today'}-job{job.pk}.{FORMATS[file_format].extension}"
        job.result_file.save(name, File(spool), save=False)
    job.result = {"rows": written}
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name, result=job.result)
    return job.result


@shared_task(name="reports.refresh")
def refresh() -> int:
    """Recompute the dashboard and the reports' default views into the cache before staff arrive."""
    dashboard.dashboard_data(refresh=True)
    for definition in REPORTS.values():
        selectors.direct_rows(definition, *selectors.default_range(definition), refresh=True)
    return len(REPORTS)


@shared_task(name="reports.check_low_stock")
def check_low_stock() -> int:
    """Email the purchasing group the materials below their reorder level; returns how many there are."""
    rows = list(get_report("below_reorder_level").rows(None, None))
    recipients = list(
        get_user_model()
        .objects.filter(groups__name="purchasing", is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if rows and recipients:
        lines = [
            f"{code} {name}: {on_hand} {unit} on hand, reorder level {level}"
            for code, name, unit, on_hand, level, _ in rows
        ]
        send_email.delay(f"{len(rows)} material(s) below reorder level", "\n".join(lines), recipients)
    return len(rows)
