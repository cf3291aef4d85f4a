"""Bulk loading for `manage.py generate_data` at medium and large scale.

PostgreSQL COPY with a progress bar, ids and document numbers drawn from sequences in blocks,
a deterministic three-year timeline, text formatting for COPY, and the clean-up after a load
(foreign-key check, ANALYZE, VACUUM). Knows no business app: each app's `sample_data.py`
builds its own rows and hands them here.
"""

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import islice

from django.db import DatabaseError, IntegrityError, connection, models, transaction
from tqdm import tqdm

DAY = 86_400
# The generated history: three years up to a fixed end, so the same seed always gives the same rows.
END = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
START = END - 3 * 365 * DAY

BATCH = 10_000  # rows written between progress-bar updates


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# --- Time and text ----------------------------------------------------------------------


def spread(rng, count: int, *, start: int = START, end: int = END) -> Iterator[int]:
    """`count` non-decreasing timestamps (epoch seconds), evenly spread over [start, end) with jitter."""
    step = (end - start) / max(count, 1)
    random = rng.random
    for index in range(count):
        yield start + int((index + random()) * step)


def before_history(rng, count: int) -> Iterator[int]:
    """Creation times for master data: spread over the half year before the history starts."""
    return spread(rng, count, start=START - 180 * DAY, end=START)


@cache
def day_text(day: int) -> str:
    """ISO date of a day number (days since 1970-01-01)."""
    return (date(1970, 1, 1) + timedelta(days=day)).isoformat()


def timestamp_text(seconds: int) -> str:
    """A UTC timestamp (epoch seconds) as PostgreSQL reads it; much faster than datetime.isoformat()."""
    day, rest = divmod(seconds, DAY)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    return f"{day_text(day)} {hour:02d}:{minute:02d}:{second:02d}+00"


def fixed(value: int, places: int) -> str:
    """An integer count of 10**-places units as a decimal literal: fixed(1234, 2) == "12.34"."""
    sign = "-" if value < 0 else ""
    whole, fraction = divmod(abs(value), 10**places)
    return f"{sign}{whole}.{fraction:0{places}d}"


class Arrivals:
    """Things in the order they were created, to pick one that already existed at a given time."""

    def __init__(self, items: Sequence, times: Sequence[int]):
        self.items, self.times = items, times

    def pick(self, rng, at: int, recency: float = 1.0):
        """One item created at or before `at` (the oldest if none was yet); recency > 1 favours the newest."""
        count = max(bisect_right(self.times, at), 1)
        return self.items[count - 1 - int(count * rng.random() ** recency)]


# --- Loading ------------------------------------------------------------------------------


def progress(total: int | None, description: str) -> tqdm:
    """A progress bar on stderr; hidden when stderr is not a terminal (tests, CI logs)."""
    return tqdm(total=total, desc=description, unit=" rows", unit_scale=True, disable=None, mininterval=0.5)


def _batches(rows: Iterable[Sequence], size: int) -> Iterator[list[Sequence]]:
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def copy_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    total: int | None = None,
    ignore_conflicts: bool = False,
) -> int:
    """COPY rows (sequences in `columns` order; None is NULL) into the model's table. Returns rows inserted.

    ignore_conflicts=True copies into a temporary table first and skips rows whose unique keys
    exist already (for master data loaded by code, like bulk_create(ignore_conflicts=True)).
    """
    target = table(model)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    connection.ensure_connection()
    with connection.cursor() as cursor:
        if ignore_conflicts:
            staging = connection.ops.quote_name(f"bulk_{model._meta.db_table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {names} FROM {target} WITH NO DATA")
            _copy(staging, names, rows, total, model._meta.db_table)
            cursor.execute(f"INSERT INTO {target} ({names}) SELECT {names} FROM {staging} ON CONFLICT DO NOTHING")
            inserted = cursor.rowcount
            cursor.execute(f"DROP TABLE {staging}")
            return inserted
    return _copy(target, names, rows, total, model._meta.db_table)


def _copy(target: str, names: str, rows: Iterable[Sequence], total: int | None, description: str) -> int:
    count = 0
    with (
        progress(total, description) as bar,
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy,
    ):
        write = copy.write_row
        for batch in _batches(rows, BATCH):
            for row in batch:
                write(row)
            count += len(batch)
            bar.update(len(batch))
    return count


def take_from_sequence(sequence: str, count: int) -> Sequence[int]:
    """`count` values of a sequence in increasing order, in one round trip; later nextval() calls
    (document numbers from the services, ids of rows inserted later) continue past them."""
    if count <= 0:
        return range(0)
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH taken AS (SELECT nextval(%s) AS value FROM generate_series(1, %s))"
            " SELECT min(value), max(value), CASE WHEN max(value) - min(value) + 1 = %s THEN NULL"
            " ELSE array_agg(value ORDER BY value) END FROM taken",
            [sequence, count, count],
        )
        low, high, values = cursor.fetchone()
    # Contiguous unless another session drew from the sequence meanwhile.
    return range(low, high + 1) if values is None else values


def reserve_ids(model: type[models.Model], count: int) -> Sequence[int]:
    """Primary keys for `count` rows about to be copied with explicit ids (so children can point at them)."""
    return take_from_sequence(_id_sequence(model), count)


def sync_id_sequence(model: type[models.Model]) -> None:
    """Move the id sequence past ids copied in explicitly (never backwards)."""
    sequence = _id_sequence(model)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(%s, GREATEST(max(id), pg_sequence_last_value(%s::regclass))) FROM {table(model)}"
            " HAVING max(id) IS NOT NULL",
            [sequence, sequence],
        )


def _id_sequence(model: type[models.Model]) -> str:
    column = model._meta.get_field("id").column  # also where id is one part of a composite primary key
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, column])
        return cursor.fetchone()[0]


class Load:
    """One app's bulk load, inside its transaction: `with Load() as load: load.copy(...)`.

    On a clean exit it checks the foreign keys of the tables loaded without triggers and ANALYZEs
    every table it loaded, so the planner (and estimated counts, which read pg_class.reltuples)
    see the new rows at once. `created` counts the rows inserted.

    Foreign-key triggers would queue one deferred check per row (millions, each locking its parent
    row: a third of the load's time). Where the role may, a table without triggers of its own is
    copied in replica mode, which skips them (as pg_restore does), and each of its foreign keys is
    then checked by one anti-join instead. Otherwise the triggers run and check at commit.
    """

    def __init__(self):
        self.created = 0
        self.loaded: list[type[models.Model]] = []
        self.unchecked: list[type[models.Model]] = []
        self.may_skip_triggers = False

    def __enter__(self) -> "Load":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")  # one COPY of millions of rows takes minutes
        self.may_skip_triggers = _may_skip_triggers()
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:  # otherwise the transaction rolls back, settings included
            check_foreign_keys(*self.unchecked)
            analyze(*self.loaded)

    def copy(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence], **options) -> int:
        """copy_rows() into the model's table, remembering it for the checks on exit."""
        skip_triggers = self.may_skip_triggers and not _has_insert_triggers(model)
        if skip_triggers:
            _set_replication_role("replica")
        inserted = copy_rows(model, columns, rows, **options)
        if skip_triggers:
            _set_replication_role("DEFAULT")
        if inserted:
            self.loaded += [model] if model not in self.loaded else []
            self.unchecked += [model] if skip_triggers and model not in self.unchecked else []
        self.created += inserted
        return inserted

    def copy_records(self, model: type[models.Model], records: list[dict], times: Iterable[int]) -> int:
        """Master data ({column: value} dicts, all alike) created at the given times (epoch seconds);
        rows whose unique keys (codes) exist already are left alone."""
        if not records:
            return 0
        rows = (
            (*record.values(), stamp, stamp)
            for record, at in zip(records, times, strict=True)
            for stamp in [timestamp_text(at)]
        )
        columns = [*records[0], "created_at", "updated_at"]
        return self.copy(model, columns, rows, total=len(records), ignore_conflicts=True)


def _set_replication_role(role: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL session_replication_role = {role}")


def _may_skip_triggers() -> bool:
    """Whether this role may switch to replica mode (a superuser, or granted SET on the parameter)."""
    try:
        with transaction.atomic():
            _set_replication_role("replica")
            _set_replication_role("DEFAULT")
    except DatabaseError:
        return False
    return True


def _has_insert_triggers(model: type[models.Model]) -> bool:
    """Whether the table has triggers of its own on INSERT (replica mode would skip them too)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal"
            " AND tgtype & 4 <> 0)",  # 4: TRIGGER_TYPE_INSERT
            [model._meta.db_table],
        )
        return cursor.fetchone()[0]


def check_foreign_keys(*models_loaded: type[models.Model]) -> None:
    """Raise IntegrityError if a row of these tables points at no row (what skipped triggers would catch)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models_loaded:
            for field in model._meta.concrete_fields:
                if not (field.is_relation and field.db_constraint):
                    continue
                parent = field.target_field
                cursor.execute(
                    f"SELECT count(*) FROM {table(model)} child WHERE child.{quote(field.column)} IS NOT NULL"
                    f" AND NOT EXISTS (SELECT 1 FROM {table(parent.model)} parent"
                    f" WHERE parent.{quote(parent.column)} = child.{quote(field.column)})"
                )
                missing = cursor.fetchone()[0]
                if missing:
                    raise IntegrityError(f"{model._meta.db_table}.{field.column}: {missing} rows point at no row.")


def analyze(*models_loaded: type[models.Model]) -> None:
    """Refresh planner statistics (and pg_class.reltuples, read for estimated counts)."""
    with connection.cursor() as cursor:
        for model in models_loaded:
            cursor.execute(f"ANALYZE {table(model)}")


def vacuum(*models_loaded: type[models.Model]) -> None:
    """Set hint bits and the visibility map after a load (index-only scans), outside any transaction."""
    with connection.cursor() as cursor:
        for model in models_loaded:
            cursor.execute(f"VACUUM {table(model)}")
