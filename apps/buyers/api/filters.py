import django_filters

from apps.core.filters import IsoDateTimeFilter

from ..choices import PaymentTerms
from ..models import Buyer


class BuyerFilterSet(django_filters.FilterSet):
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")
    currency = django_filters.CharFilter(field_name="currency", lookup_expr="iexact")
    payment_terms = django_filters.ChoiceFilter(choices=PaymentTerms.choices)
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Buyer
        fields = ["is_active", "country", "currency", "payment_terms"]
