import django_filters

from apps.core.filters import IsoDateTimeFromToRangeFilter

from ..choices import Category, SampleStatus, SampleType
from ..models import Sample, Style


class StyleFilterSet(django_filters.FilterSet):
    season = django_filters.CharFilter(lookup_expr="iexact")
    category = django_filters.ChoiceFilter(choices=Category.choices)

    class Meta:
        model = Style
        fields = ["buyer", "season", "category", "is_active"]


class SampleFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=SampleStatus.choices)
    type = django_filters.ChoiceFilter(choices=SampleType.choices)
    due = django_filters.DateFromToRangeFilter(field_name="due_date", help_text="due_after / due_before (YYYY-MM-DD)")
    created = IsoDateTimeFromToRangeFilter(field_name="created_at")
    out_of_tolerance = django_filters.BooleanFilter(
        method="filter_out_of_tolerance", help_text="true: samples with a point measured out of tolerance."
    )

    class Meta:
        model = Sample
        fields = ["buyer", "style", "status", "type", "tech_pack"]

    def filter_out_of_tolerance(self, queryset, name, value):
        return queryset.with_out_of_tolerance(value)
