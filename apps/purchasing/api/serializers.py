from decimal import ROUND_UP, Decimal

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from apps.core.serializers import FixedOnUpdateMixin
from apps.inventory.models import Material, Warehouse

from ..choices import PurchaseOrderStatus
from ..models import GoodsReceipt, GoodsReceiptLine, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierMaterial

# Ids typed into a text box: the browsable API must not render a select over a table of millions.
ID_INPUT = {"base_template": "input.html"}


class PurchaseOrderStatusField(serializers.ChoiceField):
    """A purchase order's status; documented once as the PurchaseOrderStatusEnum schema component."""

    def __init__(self, **kwargs):
        super().__init__(choices=PurchaseOrderStatus.choices, **kwargs)


class PurchaseOrderStatusFieldExtension(OpenApiSerializerFieldExtension):
    # Several apps have a field named "status"; a named component keeps spectacular from guessing enum names.
    target_class = PurchaseOrderStatusField

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="PurchaseOrderStatusEnum",
            type=ResolvedComponent.SCHEMA,
            object="PurchaseOrderStatusEnum",
            schema={
                "type": "string",
                "enum": PurchaseOrderStatus.values,
                "description": "\n".join(f"* `{value}` - {label}" for value, label in PurchaseOrderStatus.choices),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class _IdField(serializers.IntegerField):
    """An id on input; shown as the related object's id when the browsable API fills its forms from a row."""

    def to_representation(self, value):
        return super().to_representation(getattr(value, "pk", value))


def _resolve_ids(rows: list[dict], field: str, found: dict, message: str) -> list[dict]:
    """Swap the ids in rows[i][field] for objects from `found`, or raise errors keyed by row index
    (the shape DRF gives nested lists: {"1": {"material": [...]}})."""
    errors = {
        str(index): {field: [message.format(id=row[field])]}
        for index, row in enumerate(rows)
        if row[field] not in found
    }
    if errors:
        raise serializers.ValidationError(errors)
    return [{**row, field: found[row[field]]} for row in rows]


# --- Suppliers -----------------------------------------------------------------------------


class SupplierListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = ["id", "code", "name", "country", "currency", "lead_time_days", "is_active"]


class SupplierSerializer(FixedOnUpdateMixin, serializers.ModelSerializer):
    fixed_on_update = ("code",)

    class Meta:
        model = Supplier
        fields = [
            "id", "code", "name", "country", "currency", "email", "lead_time_days", "is_active",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]


class SupplierMaterialSerializer(FixedOnUpdateMixin, serializers.ModelSerializer):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all(), style=ID_INPUT)
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)
    material = serializers.PrimaryKeyRelatedField(queryset=Material.objects.all(), style=ID_INPUT)
    material_code = serializers.CharField(source="material.code", read_only=True)
    material_name = serializers.CharField(source="material.name", read_only=True)

    fixed_on_update = ("supplier", "material")

    class Meta:
        model = SupplierMaterial
        fields = [
            "id", "supplier", "supplier_code", "material", "material_code", "material_name", "unit_price",
            "is_preferred",
        ]  # fmt: skip
        # The service explains both uniqueness rules per field; DRF's would say "must make a unique set".
        validators = []


# --- Purchase orders -----------------------------------------------------------------------


class PurchaseOrderListSerializer(serializers.ModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    status = PurchaseOrderStatusField(read_only=True)
    line_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id", "number", "supplier", "supplier_code", "supplier_name", "warehouse", "warehouse_code", "status",
            "order_date", "expected_date", "currency", "total", "line_count", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    material_code = serializers.CharField(source="material.code", read_only=True)
    material_name = serializers.CharField(source="material.name", read_only=True)
    unit = serializers.CharField(source="material.unit", read_only=True)
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id", "material", "material_code", "material_name", "unit", "quantity", "unit_price",
            "received_quantity", "outstanding",
        ]  # fmt: skip
        read_only_fields = fields


class PurchaseOrderSerializer(serializers.ModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    status = PurchaseOrderStatusField(read_only=True)
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id", "number", "supplier", "supplier_code", "supplier_name", "warehouse", "warehouse_code", "status",
            "order_date", "expected_date", "currency", "total", "notes", "lines", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class PurchaseOrderLineInputSerializer(serializers.Serializer):
    material = _IdField(min_value=1, help_text="Material id.")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0.001"))
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=4, min_value=Decimal(0))


class PurchaseOrderInputSerializer(serializers.Serializer):
    """A purchase order with its lines. On update the supplier is fixed, and lines, if sent, replace all lines."""

    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all(), style=ID_INPUT)
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all(), style=ID_INPUT)
    order_date = serializers.DateField(required=False)
    expected_date = serializers.DateField(required=False, allow_null=True)
    currency = serializers.CharField(max_length=3, required=False, help_text="Defaults to the supplier's currency.")
    notes = serializers.CharField(required=False, allow_blank=True)
    lines = PurchaseOrderLineInputSerializer(many=True, allow_empty=False)

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["supplier"].read_only = True
            fields["lines"].required = False
        return fields

    def validate_lines(self, lines):
        # One query for all materials, not one per line.
        found = Material.objects.in_bulk({line["material"] for line in lines})
        lines = _resolve_ids(lines, "material", found, 'Invalid pk "{id}" - object does not exist.')
        seen, errors = set(), {}
        for index, line in enumerate(lines):
            if line["material"].pk in seen:
                errors[str(index)] = {"material": [f"{line['material'].code} appears twice."]}
            seen.add(line["material"].pk)
        if errors:
            raise serializers.ValidationError(errors)
        return lines


class PurchaseOrderReceiveLineInputSerializer(serializers.Serializer):
    line = _IdField(min_value=1, help_text="Purchase order line id.")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0.001"))


class PurchaseOrderReceiveInputSerializer(serializers.Serializer):
    """A delivery: how much of which lines arrived. Send an Idempotency-Key header so a retry books it once."""

    delivery_note = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    lines = PurchaseOrderReceiveLineInputSerializer(many=True, allow_empty=False)

    def validate_lines(self, lines):
        purchase_order = self.context["purchase_order"]
        found = PurchaseOrderLine.objects.filter(purchase_order=purchase_order).in_bulk({row["line"] for row in lines})
        return _resolve_ids(lines, "line", found, f"Line {{id}} is not on {purchase_order.number}.")


class GoodsReceiptLineSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="purchase_order_line_id", read_only=True)
    material = serializers.IntegerField(source="purchase_order_line.material_id", read_only=True)
    material_code = serializers.CharField(source="purchase_order_line.material.code", read_only=True)

    class Meta:
        model = GoodsReceiptLine
        fields = ["id", "line", "material", "material_code", "quantity"]
        read_only_fields = fields


class GoodsReceiptSerializer(serializers.ModelSerializer):
    purchase_order_number = serializers.CharField(source="purchase_order.number", read_only=True)
    purchase_order_status = PurchaseOrderStatusField(source="purchase_order.status", read_only=True)
    lines = GoodsReceiptLineSerializer(many=True, read_only=True)

    class Meta:
        model = GoodsReceipt
        fields = [
            "id", "purchase_order", "purchase_order_number", "purchase_order_status", "delivery_note",
            "received_by", "received_at", "lines",
        ]  # fmt: skip
        read_only_fields = fields


class PurchaseOrderLineListSerializer(serializers.ModelSerializer):
    purchase_order_number = serializers.CharField(source="purchase_order.number", read_only=True)
    purchase_order_status = PurchaseOrderStatusField(source="purchase_order.status", read_only=True)
    supplier = serializers.IntegerField(source="purchase_order.supplier_id", read_only=True)
    supplier_code = serializers.CharField(source="purchase_order.supplier.code", read_only=True)
    material_code = serializers.CharField(source="material.code", read_only=True)
    material_name = serializers.CharField(source="material.name", read_only=True)
    unit = serializers.CharField(source="material.unit", read_only=True)
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id", "purchase_order", "purchase_order_number", "purchase_order_status", "supplier", "supplier_code",
            "material", "material_code", "material_name", "unit", "quantity", "unit_price", "received_quantity",
            "outstanding",
        ]  # fmt: skip
        read_only_fields = fields


# --- Material requirements -----------------------------------------------------------------


class MaterialRequirementQuerySerializer(serializers.Serializer):
    all = serializers.BooleanField(
        default=False, help_text="Include materials whose demand is covered (no shortage), not only shortages."
    )


class MaterialRequirementSerializer(serializers.Serializer):
    """A row of selectors.material_requirements(). Demand is rounded up to the material's 3 decimals."""

    material = serializers.IntegerField(source="pk")
    material_code = serializers.CharField(source="code")
    material_name = serializers.CharField(source="name")
    unit = serializers.CharField()
    required = serializers.DecimalField(max_digits=20, decimal_places=3, rounding=ROUND_UP)
    on_hand = serializers.DecimalField(max_digits=20, decimal_places=3)
    on_order = serializers.DecimalField(max_digits=20, decimal_places=3)
    # Rounded up like the quantity drafting orders (selectors.order_quantity).
    shortage = serializers.DecimalField(max_digits=20, decimal_places=3, rounding=ROUND_UP)
    preferred_supplier = serializers.IntegerField(source="preferred_supplier_id", allow_null=True)
    preferred_supplier_code = serializers.CharField(allow_null=True)
    unit_price = serializers.DecimalField(
        source="preferred_unit_price", max_digits=12, decimal_places=4, allow_null=True
    )


class MaterialRequirementDraftInputSerializer(serializers.Serializer):
    warehouse = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(), style=ID_INPUT, help_text="Where the drafted orders are to be delivered."
    )


class DraftedPurchaseOrderSerializer(serializers.ModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = ["id", "number", "supplier", "supplier_code", "currency", "total"]
        read_only_fields = fields


class SkippedMaterialSerializer(serializers.Serializer):
    material = serializers.IntegerField(source="pk")
    material_code = serializers.CharField(source="code")
    material_name = serializers.CharField(source="name")
    shortage = serializers.DecimalField(max_digits=20, decimal_places=3, rounding=ROUND_UP)


class MaterialRequirementDraftResultSerializer(serializers.Serializer):
    purchase_orders = DraftedPurchaseOrderSerializer(many=True, help_text="The drafts, one per preferred supplier.")
    skipped = SkippedMaterialSerializer(many=True, help_text="Short materials without a preferred active supplier.")
