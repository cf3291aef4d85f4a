"""Building blocks for app services: validated create and update of master data."""

from django.db import models, transaction


@transaction.atomic
def create_validated(model: type[models.Model], **fields) -> models.Model:
    """Create a row after full_clean(), so every entry point applies the same rules."""
    instance = model(**fields)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def update_validated(instance: models.Model, data: dict, *, fixed: tuple[str, ...] = ("code",)) -> models.Model:
    """Lock the row, apply `data`, full_clean() and save; `fixed` fields (natural keys) never change."""
    refused = set(data) & set(fixed)
    if refused:
        raise ValueError(f"Not updatable: {sorted(refused)}")
    instance = type(instance).objects.select_for_update().get(pk=instance.pk)
    for field, value in data.items():
        setattr(instance, field, value)
    instance.full_clean()
    instance.save()
    return instance
