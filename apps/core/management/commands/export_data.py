"""Export a resource as CSV or XLSX, in the columns its import reads, filtered as the API filters its list.

    manage.py export_data buyers --filter is_active=true --output buyers.csv
    manage.py export_data orders --filter status=confirmed --filter buyer=ACME --format xlsx --output orders.xlsx
    manage.py export_data materials > materials.csv        # CSV on stdout, without the BOM

Rows come from a server-side cursor a chunk at a time and are written as they come, so memory
stays flat however many there are. An exported file imports back unchanged (import_data).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from apps.core.imports.base import get_resource
from apps.core.writers import FORMATS, stream_csv, write


class Command(BaseCommand):
    help = "Export RESOURCE (buyers, suppliers, materials, styles, orders, ...) as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("resource")
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=sorted(FORMATS),
            help="Default: from the --output file's extension, else csv.",
        )
        parser.add_argument("--output", "-o", help="The file to write; default: standard output (CSV only).")
        parser.add_argument(
            "--filter",
            dest="filters",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A filter of the API's list of this resource, e.g. is_active=true; repeat for more.",
        )

    def handle(self, *args, resource, file_format, output, filters, **options):
        try:
            target = get_resource(resource)
        except KeyError as error:
            raise CommandError(error.args[0]) from None
        file_format = file_format or _format_of(output)
        if output is None and file_format == "xlsx":
            raise CommandError("XLSX is written to a file: give --output FILE.xlsx.")
        params = self._params(target, filters)
        try:
            queryset = target.export_queryset(params)
        except NotImplementedError:
            raise CommandError(f"{resource} cannot be exported.") from None
        except ValueError as error:
            raise CommandError(f"Bad filter: {_filter_errors(error)}") from None
        columns = [column.name for column in target.columns]
        rows = target.export_rows(queryset)
        if output is None:
            self._to_stdout(columns, rows)
            return
        path = Path(output)
        try:
            with path.open("wb") as fileobj:
                written = write(file_format, columns, rows, fileobj, title=target.title)
        except ValueError as error:  # more rows than an XLSX sheet holds
            path.unlink(missing_ok=True)
            raise CommandError(str(error)) from None
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        self.stderr.write(f"{written} rows written to {path}.")

    def _params(self, target, filters: list[str]) -> QueryDict:
        """The filters as a query string would give them (a name may repeat); names the FilterSet lacks are refused,
        since the FilterSet would ignore them and export everything."""
        params = QueryDict(mutable=True)
        known = getattr(getattr(target, "filterset_class", None), "base_filters", None)
        for text in filters:
            name, sep, value = text.partition("=")
            name = name.strip()
            if not sep or not name:
                raise CommandError(f"--filter takes NAME=VALUE, not {text!r}.")
            if known is not None and name not in known:
                raise CommandError(f"Unknown filter {name!r} for {target.name}; known: {', '.join(sorted(known))}.")
            params.appendlist(name, value)
        return params

    def _to_stdout(self, columns, rows) -> None:
        out = self.stdout
        for index, chunk in enumerate(stream_csv(columns, rows)):
            text = chunk.decode("utf-8")
            out.write(text.removeprefix("\ufeff") if index == 0 else text, ending="")
            out.flush()


def _format_of(output: str | None) -> str:
    suffix = Path(output).suffix.lower().lstrip(".") if output else ""
    return suffix if suffix in FORMATS else "csv"


def _filter_errors(error: ValueError) -> str:
    errors = error.args[0] if error.args else error
    if isinstance(errors, dict):
        return "; ".join(f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in errors.items())
    return str(errors)
