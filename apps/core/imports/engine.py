"""Run an import: read the file, match its headers, check rows, group and batch records, load each batch.

    report = run_import(get_resource("buyers"), "buyers.csv", existing="update")
    print(report.summary())

- Headers are matched case-, space-, underscore- and hyphen-insensitively, to a column's name or
  one of its aliases. A missing required column is an error for the file: nothing is written.
  Unknown columns are ignored and listed in the report.
- Empty rows are skipped (by the reader). A row repeating an earlier row's key is an error
  (non-grouped resources); for grouped resources (an order and its lines) rows sharing a key
  are one record.
- Records are loaded batch_size at a time, each batch in its own transaction; a batch the
  database refuses is retried record by record so that one bad record does not fail the others.
- strict: one transaction for the whole file, rolled back if any row fails.
- dry_run: everything runs as usual inside a transaction that is always rolled back.
"""

import csv
import io
import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from itertools import islice

from django.conf import settings
from django.db import DatabaseError, transaction

from .base import Column, Existing, Record, Resource, RowError
from .readers import FormulaWithoutValue, UnreadableFile, read_table


class _RollBack(Exception):
    """Raised to leave a transaction.atomic() block with a rollback (dry runs, failed strict runs)."""


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a failed strict run, would have done); counts are records."""

    resource: str
    description: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    strict: bool = False
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        """A few lines for a person: what was read, the counts, and whether anything was written."""
        source = f" ({self.description})" if self.description else ""
        lines = [f"{self.resource}{source}: {self.rows_read} rows read."]
        verb = "Would create" if not self.written and (self.dry_run or self.strict) else "Created"
        lines.append(
            f"{verb} {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"skipped {self.skipped}, failed {self.failed}."
        )
        if self.ignored_columns:
            lines.append(f"Ignored columns: {', '.join(self.ignored_columns)}.")
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        elif self.strict and not self.ok:
            lines.append("Strict mode: nothing was written because some rows failed.")
        elif not self.written:
            lines.append("Nothing was written.")
        elif not self.changed:
            lines.append("Nothing changed.")
        if self.errors:
            lines.append(f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''}.")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        """JSON-able, for a Job's result."""
        data = asdict(self)
        data.update(ok=self.ok, summary=self.summary())
        return data

    def write_errors_csv(self, fileobj) -> None:
        """The errors as CSV (row, column, value, message) to a binary file object; UTF-8 with a BOM for Excel."""
        text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(["row", "column", "value", "message"])
        for error in self.errors:
            writer.writerow([error.row, error.column, error.value, error.message])
        text.flush()
        text.detach()  # leave the caller's file open


def normalize_header(text) -> str:
    """'Payment Terms', 'payment_terms' and ' PAYMENT-terms ' all give 'payment terms'."""
    return re.sub(r"[\s_\-]+", " ", str(text or "")).strip().casefold()


def match_headers(columns: tuple[Column, ...], headers: list[str]) -> tuple[dict[int, str], list[str], list[RowError]]:
    """({position in the file: column name}, ignored headers, file errors: missing required or repeated columns)."""
    names: dict[str, str] = {}
    for column in columns:
        for text in (column.name, *column.aliases):
            names[normalize_header(text)] = column.name
    positions: dict[int, str] = {}
    ignored: list[str] = []
    errors: list[RowError] = []
    seen: dict[str, str] = {}
    for position, header in enumerate(headers):
        name = names.get(normalize_header(header))
        if name is None:
            if str(header or "").strip():
                ignored.append(str(header).strip())
            continue
        if name in seen:
            errors.append(
                RowError(1, name, header, f"Column {name!r} appears twice (as {seen[name]!r} and {header!r}).")
            )
            continue
        seen[name] = header
        positions[position] = name
    for column in columns:
        if column.required and column.name not in seen:
            aliases = f" (or {', '.join(repr(alias) for alias in column.aliases)})" if column.aliases else ""
            errors.append(RowError(1, column.name, "", f"Missing required column {column.name!r}{aliases}."))
    return positions, ignored, errors


def _cell(value):
    """A cell as the serializers expect it: text stripped, None as "", a midnight datetime as a date."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime) and value.time() == time(0) and value.tzinfo is None:
        return value.date()
    return value


def _key_text(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def run_import(
    resource: Resource,
    source,
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    batch_size: int = 1000,
    existing: Existing = "compare",
    max_rows: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a file into `resource`. `on_start(rows)` is called once the rows are read, with how many there
    are; `progress(n)` after each batch with the number of rows it held (an increment, as tqdm.update takes)."""
    report = ImportReport(resource=resource.name, dry_run=dry_run, strict=strict)
    max_rows = settings.IMPORT_MAX_ROWS if max_rows is None else max_rows
    try:
        table = read_table(source, fmt=fmt, encoding=encoding, delimiter=delimiter)
        report.description = table.description
        positions, report.ignored_columns, file_errors = match_headers(resource.columns, table.headers)
        if file_errors:
            report.errors = file_errors
            return report
        rows = list(islice(table.rows, max_rows + 1))
    except UnreadableFile as error:
        report.errors.append(RowError(0, "", "", str(error)))
        return report
    if len(rows) > max_rows:
        report.errors.append(
            RowError(0, "", "", f"The file has more than {max_rows:,} rows, the most one import takes: split it.")
        )
        return report
    report.rows_read = len(rows)
    if on_start:
        on_start(report.rows_read)

    records, row_failures = _records(resource, rows, positions, len(table.headers))
    report.errors += [error for errors in row_failures for error in errors]
    report.failed += len(row_failures)
    if progress and row_failures:
        progress(sum(len({error.row for error in errors}) for errors in row_failures))

    batches = [records[start : start + batch_size] for start in range(0, len(records), max(batch_size, 1))]
    try:
        with transaction.atomic() if (dry_run or strict) else nullcontext():
            for batch in batches:
                _load(resource, batch, existing, report)
                if progress:
                    progress(sum(len(record.rows) for record in batch))
            if dry_run or (strict and report.errors):
                raise _RollBack
    except _RollBack:
        report.written = False
    else:
        report.written = True
    report.errors.sort(key=lambda error: error.row)
    return report


def _records(resource: Resource, rows, positions: dict[int, str], width: int):
    """Group rows into records by key. Rows that cannot be loaded come back as lists of errors, one list per
    record lost: a bad row alone, or (grouped) the whole record it belongs to."""
    records: dict[tuple, Record] = {}
    failures: list[list[RowError]] = []
    bad_groups: dict[tuple, list[RowError]] = {}
    key_columns = resource.key
    for number, cells in rows:
        values, errors = _values(number, cells, positions, width)
        key = tuple(_key_text(values.get(name, "")) for name in key_columns)
        if resource.grouped:
            if not all(key):
                missing = next(name for name, part in zip(key_columns, key, strict=True) if not part)
                errors.append(RowError(number, missing, "", f"Required: rows are grouped by {', '.join(key_columns)}."))
                failures.append(errors)
            elif errors:
                bad_groups.setdefault(key, []).extend(errors)
            elif key in records:
                records[key].rows.append((number, values))
            else:
                records[key] = Record(key=key, rows=[(number, values)])
            continue
        if errors:
            failures.append(errors)
        elif all(key) and key in records:
            first, shown = records[key].first_row, ", ".join(key)
            failures.append(
                [RowError(number, key_columns[0], shown, f"Duplicate key {shown!r}: row {first} has it too.")]
            )
        else:
            records[key if all(key) else ("", number)] = Record(key=key, rows=[(number, values)])
    for key, errors in bad_groups.items():
        record = records.pop(key, None)
        if record is not None:
            rows_with_errors = sorted({error.row for error in errors})
            errors = [
                *errors,
                *(
                    RowError(number, "", "", f"Not loaded: row {rows_with_errors[0]} of the same record has errors.")
                    for number, _ in record.rows
                ),
            ]
        failures.append(errors)
    return list(records.values()), failures


def _values(number: int, cells: list, positions: dict[int, str], width: int) -> tuple[dict, list[RowError]]:
    """{column: cell} for one row, and its errors: formulas without a saved value, values beyond the header."""
    values, errors = {}, []
    for position, name in positions.items():
        raw = cells[position] if position < len(cells) else None
        if isinstance(raw, FormulaWithoutValue):
            errors.append(
                RowError(
                    number,
                    name,
                    raw.formula,
                    "A formula without a saved value: open the workbook in Excel "
                    "and save it, or paste the cells as values.",
                )
            )
            continue
        values[name] = _cell(raw)
    extra = [value for value in cells[width:] if value is not None and str(value).strip()]
    if extra:
        errors.append(
            RowError(
                number,
                "",
                str(extra[0]),
                f"The row has more values than the header's {width} columns: "
                "check the quoting of values that hold the delimiter.",
            )
        )
    return values, errors


def _load(resource: Resource, batch: list[Record], existing: Existing, report: ImportReport) -> None:
    """Load one batch in a transaction (a savepoint inside a strict or dry run); if the database refuses
    the batch, retry its records one at a time so that only the one at fault fails."""
    try:
        with transaction.atomic():
            result = resource.load_batch(batch, existing=existing)
    except DatabaseError as error:
        if len(batch) > 1:
            for record in batch:
                _load(resource, [record], existing, report)
            return
        report.failed += 1
        report.errors.append(RowError(batch[0].first_row, "", "", f"The database refused the row: {error}".strip()))
        return
    for outcome in result.outcomes.values():
        setattr(report, outcome, getattr(report, outcome) + 1)
    report.failed += len(batch) - len(result.outcomes)  # a record without an outcome was not written
    report.errors += result.errors
