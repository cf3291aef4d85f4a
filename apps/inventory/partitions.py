"""Monthly partitions of the stock ledger.

inventory_stockmovement is PARTITION BY RANGE (created_at): one partition a calendar month in UTC
(inventory_stockmovement_p2026_11 holds [2026-11-01, 2026-12-01)), created months ahead by the
inventory.create_movement_partitions task, and a DEFAULT partition.

Why a default partition: a movement whose month has no partition yet (beat stopped for months, a
clock far off, a backdated import) must still be posted, never refused at 3 a.m. But PostgreSQL
will not add a month's partition while the default holds rows of that month, so ensure_months()
first moves such rows out: it detaches the default, adds the months, re-inserts the rows through
the parent (each lands in its month) and creates an empty default again, in one transaction. The
default is normally empty, so that costs nothing; when it is not, the next run of the task heals it.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime

from django.db import connection, transaction
from django.utils import timezone

from apps.core.locks import lock_for_transaction

TABLE = "inventory_stockmovement"
DEFAULT_PARTITION = f"{TABLE}_default"


def month_of(moment: datetime | date) -> date:
    """The first day of the (UTC) month of a date or an aware datetime."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC).date()
    return moment.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after `month`'s (before, when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime | date, last: datetime | date) -> list[date]:
    """Every month from first's to last's, both included."""
    month, last, months = month_of(first), month_of(last), []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def upcoming_months(count: int) -> list[date]:
    """This month (UTC) and the `count` after it."""
    this_month = month_of(timezone.now())
    return [add_months(this_month, offset) for offset in range(count + 1)]


def partition_name(month: date) -> str:
    return f"{TABLE}_p{month:%Y_%m}"


def ensure_months(months: Iterable[date], *, lock_timeout: str = "") -> list[str]:
    """Create the partitions of these months that do not exist yet (and of any month the default
    partition holds rows of), idempotently; returns the names created.

    With a lock_timeout ("5s"), give up rather than wait longer for a lock on the ledger: meanwhile
    every ledger query would queue behind this DDL.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        lock_for_transaction(f"{TABLE} partitions")  # two runs at once would race on the same names
        if lock_timeout:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
        stray = _months_in_default(cursor)
        missing = _missing(cursor, {month_of(month) for month in months} | stray)
        if stray:
            _move_out_of_default(cursor, missing)
        else:
            for month in missing:
                _attach(cursor, month)
    return [partition_name(month) for month in missing]


def create_default(cursor) -> None:
    cursor.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT")


def _attach(cursor, month: date) -> None:
    """A new month: created on its own, then attached, which locks the parent only in SHARE UPDATE
    EXCLUSIVE mode, where CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE. The default
    partition is still locked ACCESS EXCLUSIVE while PostgreSQL checks it holds none of the month's
    rows (quick: it is normally empty), so reads that are not pruned to other months and postings
    into the default wait that long. Attaching copies the parent's indexes, keys and triggers."""
    name = partition_name(month)
    start, end = month, add_months(month, 1)
    cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute(
        f"ALTER TABLE {TABLE} ATTACH PARTITION {name}"
        f" FOR VALUES FROM ('{start.isoformat()} 00:00+00') TO ('{end.isoformat()} 00:00+00')"
    )


def _move_out_of_default(cursor, missing: list[date]) -> None:
    """Add the missing months while the default holds rows of some: see the module's docstring."""
    detached = f"{DEFAULT_PARTITION}_detached"
    cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {DEFAULT_PARTITION}")
    cursor.execute(f"ALTER TABLE {DEFAULT_PARTITION} RENAME TO {detached}")
    for month in missing:
        _attach(cursor, month)
    create_default(cursor)
    # Same columns in the same order: the default was created as a partition of this table.
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {detached}")
    cursor.execute(f"DROP TABLE {detached}")


def _months_in_default(cursor) -> set[date]:
    cursor.execute(f"SELECT DISTINCT date_trunc('month', created_at AT TIME ZONE 'UTC')::date FROM {DEFAULT_PARTITION}")
    return {month for (month,) in cursor.fetchall()}


def _missing(cursor, months: set[date]) -> list[date]:
    cursor.execute(
        "SELECT name FROM unnest(%s::text[]) AS name WHERE to_regclass(name) IS NULL",
        [[partition_name(month) for month in months]],
    )
    absent = {name for (name,) in cursor.fetchall()}
    return sorted(month for month in months if partition_name(month) in absent)
