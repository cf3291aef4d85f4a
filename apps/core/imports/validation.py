"""The API serializers' rules, run over a batch of import rows without a query per row.

    results = validate_rows(BuyerSerializer, rows)
    for status, data in results:      # ("ok", validated_data) or ("error", {field: [messages]})

One serializer is built for the batch (its fields once, as a ListSerializer does), and then:
- unique validators are dropped: the resource fetches the rows with the batch's keys in one
  query and compares with them itself;
- a related field named in `resolved` takes the related row's natural key (a buyer's code) and
  is looked up in the dict fetched for the batch, instead of one `queryset.get()` per row;
- an empty cell means "not given" (the model's default on create, the current value on update),
  except for text fields that may be blank, where it means blank.
"""

from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.validators import UniqueForDateValidator, UniqueTogetherValidator, UniqueValidator

from .base import Record, RowError

Result = tuple[Literal["ok", "error"], dict]

UNIQUE_VALIDATORS = (UniqueValidator, UniqueTogetherValidator, UniqueForDateValidator)


class NaturalKeyField(serializers.Field):
    """A related row named by its natural key, looked up in a dict fetched once for the batch."""

    default_error_messages = {"unknown": "Unknown {label} {value!r}."}

    def __init__(self, found: dict, *, label_text: str, **kwargs):
        self.found = found
        self.label_text = label_text
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        key = str(data).strip()
        try:
            return self.found[key]
        except KeyError:
            self.fail("unknown", label=self.label_text, value=key)

    def to_representation(self, value):
        return value


def build_serializer(serializer_class, *, resolved: dict[str, dict] | None = None, context: dict | None = None):
    """One serializer for a batch: unique validators dropped, related fields swapped for natural-key lookups."""
    serializer = serializer_class(context=context or {})
    fields = serializer.fields
    for field in fields.values():
        field.validators = [v for v in field.validators if not isinstance(v, UNIQUE_VALIDATORS)]
    serializer.validators = [v for v in serializer.validators if not isinstance(v, UNIQUE_VALIDATORS)]
    for name, found in (resolved or {}).items():
        original = fields[name]
        queryset = getattr(original, "queryset", None)
        label_text = queryset.model._meta.verbose_name if queryset is not None else name.replace("_", " ")
        kwargs = {"required": original.required, "allow_null": original.allow_null}
        if original.source != name:
            kwargs["source"] = original.source
        fields[name] = NaturalKeyField(found, label_text=label_text, **kwargs)
    return serializer


def given(serializer, row: dict) -> dict:
    """The row without its empty cells, except blank text for fields that allow it (see the module docstring)."""
    fields = serializer.fields
    return {
        name: value
        for name, value in row.items()
        if not (value == "" or value is None) or (name in fields and getattr(fields[name], "allow_blank", False))
    }


def validate_rows(serializer_class, rows: list[dict], *, resolved: dict[str, dict] | None = None,
                  context: dict | None = None) -> list[Result]:  # fmt: skip
    """Run the API serializer's rules over many rows at once; per row ("ok", validated_data) or ("error", errors).

    `resolved` maps a related field's name to {natural key value: model instance}, fetched in one
    query per batch by the caller. Errors are {field: [messages]}, "non_field_errors" for the row.
    """
    serializer = build_serializer(serializer_class, resolved=resolved, context=context)
    results: list[Result] = []
    for row in rows:
        try:
            results.append(("ok", serializer.run_validation(given(serializer, row))))
        except serializers.ValidationError as error:
            results.append(("error", plain(serializers.as_serializer_error(error))))
        except DjangoValidationError as error:
            results.append(("error", django_errors(error)))
    return results


def plain(errors: Any) -> Any:
    """DRF's ErrorDetail trees as plain strings, lists and dicts."""
    if isinstance(errors, dict):
        return {str(key): plain(value) for key, value in errors.items()}
    if isinstance(errors, list | tuple):
        return [plain(value) for value in errors]
    return str(errors)


def django_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A model's full_clean() errors in the serializer's shape ({field: [messages]}, "non_field_errors")."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if key == "__all__" else key): list(value) for key, value in error.message_dict.items()
        }
    return {"non_field_errors": list(error.messages)}


def row_errors(row: int, errors: dict, values: dict, *, columns: dict[str, str] | None = None) -> list[RowError]:
    """Flatten {field: [messages]} into RowErrors for one file row; `columns` maps a field to its column's name
    where they differ. Nested errors (a list of lines) are flattened to "field: message" on the field's column."""
    found: list[RowError] = []
    for field, messages in errors.items():
        column = "" if field in ("non_field_errors", "__all__") else (columns or {}).get(field, field)
        value = values.get(column, "") if column else ""
        for message in _messages(messages):
            found.append(RowError(row=row, column=column, value=_text(value), message=message))
    return found


def _messages(messages: Any, prefix: str = "") -> list[str]:
    if isinstance(messages, dict):
        return [m for key, value in messages.items() for m in _messages(value, f"{prefix}{key}: ")]
    if isinstance(messages, list | tuple):
        return [m for value in messages for m in _messages(value, prefix)]
    return [f"{prefix}{messages}"]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# --- Helpers the resources share -----------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as stripped text ("" for an empty one), for comparing and reporting."""
    return "" if value is None else str(value).strip()


def by_natural_key(model, field: str, values) -> dict:
    """{key: row} for the rows of `model` whose `field` is among `values`: one query for a batch."""
    values = {cell_text(value) for value in values} - {""}
    if not values:
        return {}
    return {str(getattr(row, field)): row for row in model.objects.filter(**{f"{field}__in": values})}


def clean_without_queries(instance, *, exclude: list[str]) -> dict:
    """The model's full_clean() errors, without the checks that query: the related fields in `exclude`
    were resolved for the batch, and unique and constraint checks are left to the database."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as error:
        return django_errors(error)
    return {}


def conflicting_values(record: Record, columns, noun: str) -> list[RowError]:
    """A grouped record's header is given once: a later row may leave a column empty, not contradict the first."""
    first_number, first = record.rows[0]
    errors = []
    for number, values in record.rows[1:]:
        for column in columns:
            value, expected = cell_text(values.get(column)), cell_text(first.get(column))
            if value and value != expected:
                message = (
                    f"Differs from row {first_number} ({expected or 'empty'}): {noun} has one value for all its rows."
                )
                errors.append(RowError(number, column, value, message))
    return errors
