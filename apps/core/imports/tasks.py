"""The import job the admin's "Import a file" page starts: the engine run on the uploaded file, on a worker."""

import tempfile

from celery import shared_task
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection

from apps.core.audit import acting_as
from apps.core.jobs import JobTask, report_progress
from apps.core.models import Job

from .base import get_resource
from .engine import run_import

RESULT_ERRORS = 50  # errors kept in job.result for the job's page; all of them are in its result file


class _Progress:
    """The engine's row counts as the job's percent (5 to 95), which also notices a cancelled job.

    Not inside a transaction (a strict or dry run is one): the job's row would stay locked until it
    ends, so cancelling the job would wait for the import, and no one would see the progress anyway."""

    def __init__(self, job: Job):
        self.job, self.total, self.done = job, 0, 0

    def start(self, rows: int) -> None:
        self.total = rows
        self._report(5)

    def advance(self, rows: int) -> None:
        self.done += rows
        self._report(5 + 90 * self.done // max(self.total, 1))

    def _report(self, percent: int) -> None:
        if not connection.in_atomic_block:
            report_progress(self.job, percent)


@shared_task(
    base=JobTask,
    name="core.import_file",
    soft_time_limit=settings.IMPORT_TIME_LIMIT,
    time_limit=settings.IMPORT_TIME_LIMIT + 60,
)
def import_file(
    job: Job,
    resource: str,
    upload: str,
    file_format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    existing: str = "compare",
    dry_run: bool = False,
    strict: bool = False,
):
    """Import the file saved at `upload` (default storage); the report goes to job.result, its errors to a CSV."""
    target = get_resource(resource)
    progress = _Progress(job)
    with default_storage.open(upload, "rb") as source, acting_as(job.requested_by, f"IMPORT {job.title}"):
        report = run_import(
            target,
            source,
            fmt=file_format or None,
            encoding=encoding or None,
            delimiter=delimiter or None,
            dry_run=dry_run,
            strict=strict,
            existing=existing,
            on_start=progress.start,
            progress=progress.advance,
        )
    job.result = report.as_dict()
    if len(report.errors) > RESULT_ERRORS:
        job.result["errors"] = job.result["errors"][:RESULT_ERRORS]
        job.result["more_errors"] = f"{len(report.errors) - RESULT_ERRORS} more, in the result file"
    if report.errors:
        with tempfile.TemporaryFile() as spool:
            report.write_errors_csv(spool)
            spool.seek(0)
            job.result_file.save(f"{resource}-import-errors-job{job.pk}.csv", File(spool), save=False)
    Job.objects.filter(pk=job.pk).update(result=job.result, result_file=job.result_file.name or "")
    return job.result
