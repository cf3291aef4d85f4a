import django_filters

from apps.core.filters import IsoDateTimeFilter

from ..choices import MaterialKind, MovementKind, Unit
from ..models import Material, StockLevel, StockMovement, Warehouse


class WarehouseFilterSet(django_filters.FilterSet):
    class Meta:
        model = Warehouse
        fields = ["is_active"]


class MaterialFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=MaterialKind.choices)
    unit = django_filters.ChoiceFilter(choices=Unit.choices)
    below_reorder = django_filters.BooleanFilter(
        method="filter_below_reorder", label="Stock over all warehouses is below the reorder level"
    )

    class Meta:
        model = Material
        fields = ["kind", "unit", "is_active"]

    def filter_below_reorder(self, queryset, name, value):
        return queryset.below_reorder(value)


class StockLevelFilterSet(django_filters.FilterSet):
    material__kind = django_filters.ChoiceFilter(choices=MaterialKind.choices, label="Material kind")

    class Meta:
        model = StockLevel
        fields = ["material", "warehouse", "material__kind"]


class StockMovementFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=MovementKind.choices)
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockMovement
        fields = ["material", "warehouse", "kind", "reference_type", "reference_id"]
