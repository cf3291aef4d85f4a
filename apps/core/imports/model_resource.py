"""Master data that maps one row of the file to one model row: buyers, suppliers, materials.

    @register
    class BuyerResource(ModelResource):
        name = "buyers"
        title = "Buyers"
        model = Buyer
        serializer_class = BuyerSerializer
        lookup = "code"
        columns = (Column("code", required=True, example="ACME"), Column("name", required=True), ...)

Column names are the serializer's field names. A related column holds the related row's natural
key (`related = {"buyer": (Buyer, "code")}`), resolved in one query per batch.

Writes bypass the app's service (one INSERT per batch instead of one per row) and apply the
same rules it does: the API serializer, then the model's full_clean() without its unique and
constraint checks (which query; the key is compared in one query, and the database enforces the
constraints). Every write is in the audit trail (bulk_create_audited / bulk_update_audited).
"""

from typing import ClassVar

from django.db import models
from django.utils import timezone

from apps.core import cache
from apps.core.audit import bulk_create_audited, bulk_update_audited

from .base import BatchResult, Existing, Record, Resource, RowError
from .validation import by_natural_key, clean_without_queries, row_errors, validate_rows


class ModelResource(Resource):
    """One row -> one model row, keyed by `lookup` (a unique model field, the first key column)."""

    model: ClassVar[type[models.Model]]
    serializer_class: ClassVar[type]
    lookup: ClassVar[str] = "code"
    related: ClassVar[dict[str, tuple[type[models.Model], str]]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "key" not in cls.__dict__:
            cls.key = (cls.lookup,)

    # --- Import --------------------------------------------------------------------------

    def load_batch(self, records: list[Record], *, existing: Existing) -> BatchResult:
        """Resolve related keys (one query each), fetch the existing rows (one query), validate,
        compare field by field, then one bulk INSERT and one bulk UPDATE (each with its history rows)."""
        result = BatchResult()
        rows = [record.rows[0] for record in records]
        resolved = {
            field: by_natural_key(
                model, key_field, {str(values[field]).strip() for _, values in rows if values.get(field)}
            )
            for field, (model, key_field) in self.related.items()
            if any(values.get(field) for _, values in rows)
        }
        keys = {str(values.get(self.lookup, "")).strip() for _, values in rows} - {""}
        current = {
            getattr(row, self.lookup): row
            for row in self.model.objects.select_related(*self.related)
            .select_for_update(of=("self",))
            .filter(**{f"{self.lookup}__in": keys})
        }
        related_names = list(self.related)
        creates, updates, changed_fields = [], [], set()
        checked = validate_rows(self.serializer_class, [values for _, values in rows], resolved=resolved)
        for index, ((number, values), (status, data)) in enumerate(zip(rows, checked, strict=True)):
            if status == "error":
                result.errors += row_errors(number, data, values)
                continue
            instance = current.get(data.get(self.lookup))
            if instance is None:
                instance = self.model(**data)
                errors = clean_without_queries(instance, exclude=related_names)
                if errors:
                    result.errors += row_errors(number, errors, values)
                    continue
                creates.append(instance)
                result.outcomes[index] = "created"
                continue
            if existing == "skip":
                result.outcomes[index] = "skipped"
                continue
            differences = self._differences(instance, data)
            if not differences:
                result.outcomes[index] = "unchanged"
                continue
            if existing == "compare":
                result.errors += [
                    RowError(
                        row=number,
                        column=field,
                        value="" if values.get(field) is None else str(values.get(field)),
                        message=f"Differs from the existing {self.model._meta.verbose_name} ({old}): "
                        "use --update to change it or --skip-existing to leave it.",
                    )
                    for field, old in differences.items()
                ]
                continue
            for field in differences:
                setattr(instance, field, data[field])
            errors = clean_without_queries(instance, exclude=related_names)
            if errors:
                result.errors += row_errors(number, errors, values)
                continue
            updates.append(instance)
            changed_fields |= {self.model._meta.get_field(field).attname for field in differences}
            result.outcomes[index] = "updated"
        if creates:
            bulk_create_audited(creates, self.model)
        if updates:
            fields = sorted(changed_fields)
            if any(field.name == "updated_at" for field in self.model._meta.fields):
                now = timezone.now()
                for instance in updates:
                    instance.updated_at = now
                fields.append("updated_at")
            bulk_update_audited(updates, self.model, fields)
        if creates or updates:
            cache.bump(self.model)  # bulk writes send no signals
        return result

    def _differences(self, instance, data: dict) -> dict[str, str]:
        """{field: its current value} for each validated field whose value differs from the row's."""
        differences = {}
        for name, value in data.items():
            if name == self.lookup:
                continue
            field = self.model._meta.get_field(name)
            if field.is_relation:
                old, new = getattr(instance, field.attname), getattr(value, "pk", value)
                shown = getattr(getattr(instance, name), self.related[name][1]) if name in self.related and old else old
            else:
                old, new, shown = getattr(instance, name), value, getattr(instance, name)
            if old != new:
                differences[name] = "empty" if shown in ("", None) else repr(str(shown))
        return differences

    # --- Export --------------------------------------------------------------------------

    def export_queryset(self, params: dict):
        """All rows, or those the API's FilterSet keeps for these query parameters; in primary-key order."""
        queryset = self.model.objects.select_related(*self.related)
        return self.filtered(params, queryset).order_by("pk")

    def export_rows(self, queryset):
        """One row per model row, in `columns` order; related rows by their natural key."""
        names = [column.name for column in self.columns]
        for instance in queryset.iterator(chunk_size=2000):
            yield [self._export_value(instance, name) for name in names]

    def _export_value(self, instance, name: str):
        if name in self.related:
            target = getattr(instance, name)
            return "" if target is None else getattr(target, self.related[name][1])
        value = getattr(instance, name)
        return "" if value is None else value
