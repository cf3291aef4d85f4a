import django_filters

from apps.core.filters import IsoDateTimeFromToRangeFilter

from ..choices import OrderStatus
from ..models import Order, OrderLine


class OrderFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    currency = django_filters.CharFilter(lookup_expr="iexact")
    order_date = django_filters.DateFromToRangeFilter(help_text="order_date_after / order_date_before (YYYY-MM-DD)")
    ship_date = django_filters.DateFromToRangeFilter(help_text="ship_date_after / ship_date_before (YYYY-MM-DD)")
    created = IsoDateTimeFromToRangeFilter(field_name="created_at")

    class Meta:
        model = Order
        fields = ["buyer", "status", "currency"]


class OrderLineFilterSet(django_filters.FilterSet):
    buyer = django_filters.NumberFilter(field_name="order__buyer")
    order_status = django_filters.MultipleChoiceFilter(field_name="order__status", choices=OrderStatus.choices)

    class Meta:
        model = OrderLine
        fields = ["order", "style", "buyer", "order_status"]
