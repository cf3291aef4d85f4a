"""`manage.py import_template RESOURCE`: the header row an import expects, and an example row."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from openpyxl import Workbook
from openpyxl.styles import Font

from apps.core.imports.base import get_resource


class Command(BaseCommand):
    help = "Print a CSV template for an import (header and example row), or write it to --output FILE.csv|.xlsx."

    def add_arguments(self, parser):
        parser.add_argument("resource", help="buyers, suppliers, materials, styles, orders, ...")
        parser.add_argument("--output", metavar="FILE", help="Write to FILE (.csv or .xlsx) instead of printing CSV")

    def handle(self, *args, resource, output, **options):
        try:
            found = get_resource(resource)
        except KeyError as error:
            raise CommandError(error.args[0]) from None
        header = [column.name for column in found.columns]
        example = [column.example for column in found.columns]
        if output is None:
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerows([header, example])
            return
        path = Path(output)
        if path.suffix.lower() == ".csv":
            with path.open("w", encoding="utf-8", newline="") as file:
                csv.writer(file).writerows([header, example])
        elif path.suffix.lower() == ".xlsx":
            self._write_xlsx(path, found, header, example)
        else:
            raise CommandError("--output must end in .csv or .xlsx.")
        if options["verbosity"] > 0:
            self.stderr.write(f"Wrote {path}: {len(header)} columns.")

    def _write_xlsx(self, path: Path, resource, header: list[str], example: list[str]) -> None:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = resource.name
        sheet.append(header)
        sheet.append(example)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        # Every cell as text, so that Excel keeps codes like 0042 and dates as typed.
        for cell in sheet[2]:
            cell.number_format = "@"
        sheet.freeze_panes = "A2"
        # The imports read the first sheet only: this one documents the columns.
        notes = workbook.create_sheet("Columns")
        notes.append(["column", "required", "also accepted as", "notes"])
        for column in resource.columns:
            notes.append([column.name, "yes" if column.required else "", ", ".join(column.aliases), column.help])
        for cell in notes[1]:
            cell.font = Font(bold=True)
        workbook.save(path)
