from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.serializers import FixedOnUpdateMixin

from ..choices import MaterialKind, MovementKind
from ..models import QUANTITY, Material, StockLevel, StockMovement, Warehouse
from ..querysets import TOTAL_QUANTITY


def _enum_schema(choices) -> dict:
    return {
        "type": "string",
        "enum": choices.values,
        "description": ", ".join(f"`{v}` - {label}" for v, label in choices.choices),
    }


# Materials and movements both have a `kind`: named enum components keep the schema's names apart.
@extend_schema_field(_enum_schema(MaterialKind), component_name="MaterialKindEnum")
class MaterialKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=MaterialKind.choices, **kwargs)


@extend_schema_field(_enum_schema(MovementKind), component_name="MovementKindEnum")
class MovementKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=MovementKind.choices, **kwargs)


class WarehouseListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "is_active"]


class WarehouseSerializer(FixedOnUpdateMixin, serializers.ModelSerializer):
    fixed_on_update = ("code",)

    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "address", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


# Read from the with_on_hand() annotation, never a query per row.
ON_HAND = {
    "max_digits": TOTAL_QUANTITY.max_digits,
    "decimal_places": TOTAL_QUANTITY.decimal_places,
    "read_only": True,
    "help_text": "Stock over all warehouses.",
}


class MaterialListSerializer(serializers.ModelSerializer):
    kind = MaterialKindField()
    on_hand = serializers.DecimalField(**ON_HAND)

    class Meta:
        model = Material
        fields = ["id", "code", "name", "kind", "unit", "reorder_level", "on_hand", "is_active"]


class MaterialSerializer(FixedOnUpdateMixin, serializers.ModelSerializer):
    kind = MaterialKindField()
    on_hand = serializers.DecimalField(**ON_HAND)

    fixed_on_update = ("code",)

    class Meta:
        model = Material
        fields = [
            "id", "code", "name", "kind", "unit", "standard_cost", "reorder_level", "on_hand", "is_active",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]


class StockLevelSerializer(serializers.ModelSerializer):
    material_code = serializers.CharField(source="material.code", read_only=True)
    material_name = serializers.CharField(source="material.name", read_only=True)
    unit = serializers.CharField(source="material.unit", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)

    class Meta:
        model = StockLevel
        fields = [
            "id", "material", "material_code", "material_name", "unit", "warehouse", "warehouse_code", "on_hand",
            "updated_at",
        ]  # fmt: skip


class StockMovementSerializer(serializers.ModelSerializer):
    kind = MovementKindField(read_only=True)
    material_code = serializers.CharField(source="material.code", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    created_by_username = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)

    class Meta:
        model = StockMovement
        fields = [
            "id", "created_at", "kind", "material", "material_code", "warehouse", "warehouse_code", "quantity",
            "balance_after", "reference_type", "reference_id", "note", "created_by", "created_by_username",
        ]  # fmt: skip
        read_only_fields = fields


class StockMovementPostInputSerializer(serializers.Serializer):
    """One posting. The stock services own the rules: sign of quantity, stock on hand, the reason for an adjustment."""

    kind = MovementKindField()
    material = serializers.PrimaryKeyRelatedField(queryset=Material.objects.all())
    warehouse = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(), help_text="Where stock comes in or goes out; for a transfer, the source."
    )
    to_warehouse = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(), required=False, allow_null=True, help_text="Transfers only: the destination."
    )
    quantity = serializers.DecimalField(
        **QUANTITY, help_text="Greater than zero; for an adjustment, signed (+ found, - lost) and not zero."
    )
    note = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default="", help_text="Required for an adjustment."
    )


class StockMovementPostResultSerializer(serializers.Serializer):
    movements = StockMovementSerializer(
        many=True, help_text="The ledger lines posted: one, or for a transfer two (outgoing, then incoming)."
    )
