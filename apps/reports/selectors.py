"""Small reports answered at once from the cache; anything bigger is a job (apps/reports/tasks.py)."""

import datetime
from itertools import islice

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from apps.core.cache import versions
from apps.core.replica import read_from_primary

from .definitions import Report


class TooLargeForDirectAnswer(Exception):
    """The range or the answer is too big to answer inside a request: run the report as a job."""


def default_range(definition: Report) -> tuple[datetime.date | None, datetime.date | None]:
    """What a report shows when nobody picks dates: the last REPORT_DIRECT_MAX_DAYS days, or now."""
    if not definition.dated:
        return None, None
    today = timezone.localdate()
    return today - datetime.timedelta(days=settings.REPORT_DIRECT_MAX_DAYS - 1), today


def direct_rows(
    definition: Report, date_from: datetime.date | None, date_to: datetime.date | None, *, refresh: bool = False
) -> list[tuple]:
    """The report's rows, from the cache while none of the tables it reads has changed.

    Raises TooLargeForDirectAnswer for an open or longer range than REPORT_DIRECT_MAX_DAYS, or
    more rows than REPORT_DIRECT_MAX_ROWS.
    """
    if definition.dated and (
        date_from is None or date_to is None or (date_to - date_from).days >= settings.REPORT_DIRECT_MAX_DAYS
    ):
        raise TooLargeForDirectAnswer(
            f"Ranges over {settings.REPORT_DIRECT_MAX_DAYS} days (or open-ended) run as a job: POST to run."
        )
    key = f"report:{definition.key}:{date_from}:{date_to}:{versions(definition.reads)}"
    rows = None if refresh else cache.get(key)
    if rows is None:
        read_from_primary()  # cached for everyone: never from a lagging replica
        rows = list(islice(definition.rows(date_from, date_to), settings.REPORT_DIRECT_MAX_ROWS + 1))
        if len(rows) > settings.REPORT_DIRECT_MAX_ROWS:
            raise TooLargeForDirectAnswer(
                f"Over {settings.REPORT_DIRECT_MAX_ROWS} rows: run the report as a job for a file."
            )
        cache.set(key, rows, settings.REPORT_CACHE_TTL)
    return rows
