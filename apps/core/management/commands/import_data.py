"""`manage.py import_data RESOURCE FILE`: load buyers, suppliers, materials, styles, orders or opening stock
from a CSV or XLSX file. See the README's "Imports and exports" and apps/core/imports/engine.py."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.core.imports.base import get_resource
from apps.core.imports.engine import run_import

ERRORS_SHOWN = 20


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file. Good rows load and bad rows are reported (or, with --strict, nothing loads "
        "unless every row is good). Exits with status 0 only when every row loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("resource", help="What the file holds: buyers, suppliers, materials, styles, orders, ...")
        parser.add_argument("file", help="A .csv or .xlsx file")
        parser.add_argument("--format", choices=["csv", "xlsx"], help="Default: detected from the file")
        parser.add_argument("--encoding", help="A CSV's encoding, e.g. utf-8 or cp1252 (default: detected)")
        parser.add_argument("--delimiter", help="A CSV's delimiter, e.g. ';' or '\\t' (default: detected)")
        parser.add_argument("--dry-run", action="store_true", help="Validate everything, write nothing")
        parser.add_argument("--strict", action="store_true", help="All or nothing: write only if every row is good")
        parser.add_argument("--batch-size", type=_positive, default=1000, help="Records per transaction (1000)")
        parser.add_argument(
            "--errors", metavar="FILE", help="Write the errors to this CSV (row, column, value, message)"
        )
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument(
            "--update", action="store_true", help="Update rows whose key exists (default: report differing rows)"
        )
        existing.add_argument("--skip-existing", action="store_true", help="Leave rows whose key exists as they are")

    def handle(self, *args, **options):
        try:
            resource = get_resource(options["resource"])
        except KeyError as error:
            raise CommandError(error.args[0]) from None
        delimiter = options["delimiter"]
        if delimiter is not None:
            delimiter = delimiter.encode().decode("unicode_escape")  # "\t" typed in a shell
            if len(delimiter) != 1:
                raise CommandError("--delimiter takes one character.")
        existing = "update" if options["update"] else "skip" if options["skip_existing"] else "compare"
        bar = None

        def start(total: int) -> None:
            nonlocal bar
            if sys.stderr.isatty() and options["verbosity"] > 0:  # a bar only on a terminal, never in logs
                bar = tqdm(total=total, unit="row", desc=resource.name, file=sys.stderr)

        try:
            report = run_import(
                resource,
                options["file"],
                fmt=options["format"],
                encoding=options["encoding"],
                delimiter=delimiter,
                dry_run=options["dry_run"],
                strict=options["strict"],
                batch_size=options["batch_size"],
                existing=existing,
                on_start=start,
                progress=lambda rows: bar.update(rows) if bar else None,
            )
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror or error}.") from error
        finally:
            if bar is not None:
                bar.close()

        if options["errors"]:
            with open(options["errors"], "wb") as errors_file:
                report.write_errors_csv(errors_file)
        for error in report.errors[:ERRORS_SHOWN]:
            where = f"row {error.row}" if error.row else "file"
            column = f", {error.column}" if error.column else ""
            value = f" {error.value!r}" if error.value else ""
            self.stderr.write(f"{where}{column}{value}: {error.message}")
        if len(report.errors) > ERRORS_SHOWN:
            more = len(report.errors) - ERRORS_SHOWN
            hint = f"in {options['errors']}" if options["errors"] else "write them all with --errors FILE"
            self.stderr.write(f"... and {more} more errors ({hint}).")
        self.stdout.write(report.summary())
        if not report.ok:  # a non-zero exit status: not every row loaded
            if not report.failed:
                raise CommandError("The file was not imported.")
            written = "" if report.written else "; nothing was written"
            raise CommandError(f"{report.failed} record{'s' if report.failed != 1 else ''} not loaded{written}.")
