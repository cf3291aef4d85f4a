import django_filters
from django import forms
from django.db.models import F, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ..choices import OPEN_STATUSES, PurchaseOrderStatus
from ..models import PurchaseOrder, PurchaseOrderLine, Supplier, SupplierMaterial


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A foreign key filtered by id. A ModelChoiceFilter would render the whole related table into the
    browsable API's filter form and query it on every request."""

    field_class = forms.IntegerField


class SupplierFilterSet(django_filters.FilterSet):
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")
    currency = django_filters.CharFilter(field_name="currency", lookup_expr="iexact")

    class Meta:
        model = Supplier
        fields = ["is_active", "country", "currency"]


class SupplierMaterialFilterSet(django_filters.FilterSet):
    supplier = IdFilter(field_name="supplier_id")
    material = IdFilter(field_name="material_id")

    class Meta:
        model = SupplierMaterial
        fields = ["supplier", "material", "is_preferred"]


class PurchaseOrderFilterSet(django_filters.FilterSet):
    supplier = IdFilter(field_name="supplier_id")
    warehouse = IdFilter(field_name="warehouse_id")
    status = django_filters.MultipleChoiceFilter(choices=PurchaseOrderStatus.choices)
    order_date = django_filters.DateFromToRangeFilter(help_text="?order_date_after=&order_date_before= (inclusive)")
    expected_date = django_filters.DateFromToRangeFilter(
        help_text="?expected_date_after=&expected_date_before= (inclusive)"
    )

    class Meta:
        model = PurchaseOrder
        fields = ["supplier", "warehouse", "status", "order_date", "expected_date"]


class PurchaseOrderLineFilterSet(django_filters.FilterSet):
    purchase_order = IdFilter(field_name="purchase_order_id")
    material = IdFilter(field_name="material_id")
    outstanding = django_filters.BooleanFilter(
        method="filter_outstanding",
        help_text="true: still to arrive (open order, less received than ordered); false: the others.",
    )

    class Meta:
        model = PurchaseOrderLine
        fields = ["purchase_order", "material", "outstanding"]

    def filter_outstanding(self, queryset, name, value):
        # The same lines material requirements count as on order.
        still_to_come = Q(purchase_order__status__in=OPEN_STATUSES, received_quantity__lt=F("quantity"))
        return queryset.filter(still_to_come) if value else queryset.exclude(still_to_come)
