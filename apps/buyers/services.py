"""Writes to buyers. Admin, API, imports and tasks all come through here."""

from django.db import transaction

from apps.core import cache
from apps.core.audit import bulk_update_audited
from apps.core.services import create_validated, update_validated

from .models import Buyer


def buyer_create(**fields) -> Buyer:
    """Create a buyer (code, name, country, currency, ...) after validating it like any other write."""
    return create_validated(Buyer, **fields)


def buyer_update(*, buyer: Buyer, data: dict) -> Buyer:
    """Change a buyer's details; its code is its natural key and never changes."""
    return update_validated(buyer, data)


@transaction.atomic
def buyer_set_active(*, buyer_ids: list[int], active: bool) -> int:
    """Activate or deactivate buyers in one UPDATE, each change in the audit trail; returns how many changed."""
    buyers = list(Buyer.objects.select_for_update().filter(pk__in=buyer_ids).exclude(is_active=active))
    for buyer in buyers:
        buyer.is_active = active
    bulk_update_audited(buyers, Buyer, ["is_active"])
    cache.bump(Buyer)  # bulk_update() sends no signals
    return len(buyers)
