import datetime

import django_filters
from django.core.exceptions import ValidationError
from django_filters import fields as filter_fields
from django_filters import widgets as filter_widgets
from rest_framework import filters


class OrderingFilter(filters.OrderingFilter):
    """DRF's ordering, always ending on the primary key so pages never repeat or skip rows."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering.append("pk")
        return ordering


class UTCIsoDateTimeField(filter_fields.IsoDateTimeField):
    """An ISO 8601 date and time, handed to the database in UTC.

    Python accepts UTC offsets up to ±23:59, PostgreSQL only to ±15:59: "…-20:15" would reach
    the database and fail there (a 500). In UTC any offset is fine; a moment that falls outside
    years 1 to 9999 once converted is refused as invalid input.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError("Enter a date and time between the years 1 and 9999.", code="invalid") from None


class UTCIsoDateTimeRangeField(filter_fields.RangeField):
    widget = filter_widgets.DateRangeWidget

    def __init__(self, *args, **kwargs):
        super().__init__((UTCIsoDateTimeField(), UTCIsoDateTimeField()), *args, **kwargs)


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """django-filter's, in UTC (UTCIsoDateTimeField)."""

    field_class = UTCIsoDateTimeField


class IsoDateTimeFromToRangeFilter(django_filters.IsoDateTimeFromToRangeFilter):
    """django-filter's `<name>_after` / `<name>_before`, in UTC (UTCIsoDateTimeField)."""

    field_class = UTCIsoDateTimeRangeField
