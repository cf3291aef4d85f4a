"""Writes to buyers. Admin, API, imports and tasks all come through here."""

from django.db import transaction

from .models import Buyer

UPDATABLE_FIELDS = ("name", "company", "country", "currency", "email", "payment_terms", "is_active")


@transaction.atomic
def buyer_create(
    *,
    code: str,
    name: str,
    country: str,
    currency: str,
    company: str = "",
    email: str = "",
    payment_terms: str | None = None,
    is_active: bool = True,
) -> Buyer:
    """Create a buyer after validating it like any other write."""
    buyer = Buyer(
        code=code,
        name=name,
        company=company,
        country=country,
        currency=currency,
        email=email,
        is_active=is_active,
    )
    if payment_terms:
        buyer.payment_terms = payment_terms
    buyer.full_clean()
    buyer.save()
    return buyer


@transaction.atomic
def buyer_update(*, buyer: Buyer, data: dict) -> Buyer:
    """Change a buyer's details; its code is its natural key and never changes."""
    unknown = set(data) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not updatable: {sorted(unknown)}")
    buyer = Buyer.objects.select_for_update().get(pk=buyer.pk)
    for field, value in data.items():
        setattr(buyer, field, value)
    buyer.full_clean()
    buyer.save(update_fields=[*data, "updated_at"])
    return buyer


@transaction.atomic
def buyer_set_active(*, buyer_ids: list[int], active: bool) -> int:
    """Activate or deactivate buyers in one statement; returns how many changed."""
    return Buyer.objects.filter(pk__in=buyer_ids).exclude(is_active=active).update(is_active=active)
