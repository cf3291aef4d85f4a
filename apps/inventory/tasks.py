"""Housekeeping of the stock ledger; beat runs it on the schedule in migration 0006 (editable in the admin)."""

from celery import shared_task
from django.conf import settings

from . import partitions


@shared_task(name="inventory.create_movement_partitions")
def create_movement_partitions() -> list[str]:
    """Create the ledger's partitions of this month and the next STOCK_MOVEMENT_PARTITIONS_AHEAD; returns those made."""
    # A lock held by a long report would make it wait, and every ledger query queue behind it: give up
    # instead, months ahead the next run will do.
    months = partitions.upcoming_months(settings.STOCK_MOVEMENT_PARTITIONS_AHEAD)
    return partitions.ensure_months(months, lock_timeout="5s")
