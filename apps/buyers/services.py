"""Writes to buyers. Admin, API, imports and tasks all come through here."""

from django.db import transaction

from apps.core import cache
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
    """Activate or deactivate buyers in one statement; returns how many changed."""
    changed = Buyer.objects.filter(pk__in=buyer_ids).exclude(is_active=active).update(is_active=active)
    cache.bump(Buyer)  # update() sends no signals
    return changed
