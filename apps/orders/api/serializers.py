from rest_framework import serializers

from apps.buyers.models import Buyer
from apps.core.serializers import FixedOnUpdateMixin
from apps.samples.models import Style

from .. import services
from ..choices import ORDER_WORKFLOW
from ..models import Order, OrderLine

# A generated column: DRF would render it as a float without the declared precision.
AMOUNT = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


class OrderLineSerializer(serializers.ModelSerializer):
    style = serializers.PrimaryKeyRelatedField(queryset=Style.objects.all())
    style_code = serializers.CharField(source="style.code", read_only=True)
    amount = AMOUNT

    class Meta:
        model = OrderLine
        fields = ["id", "style", "style_code", "colour", "size", "quantity", "unit_price", "amount"]


class OrderLineListSerializer(serializers.ModelSerializer):
    """A line with what a list needs of its order."""

    order_number = serializers.CharField(source="order.number", read_only=True)
    buyer = serializers.IntegerField(source="order.buyer_id", read_only=True)
    buyer_code = serializers.CharField(source="order.buyer.code", read_only=True)
    order_status = serializers.CharField(source="order.status", read_only=True)
    style_code = serializers.CharField(source="style.code", read_only=True)
    amount = AMOUNT

    class Meta:
        model = OrderLine
        fields = [
            "id", "order", "order_number", "order_status", "buyer", "buyer_code", "style", "style_code",
            "colour", "size", "quantity", "unit_price", "amount",
        ]  # fmt: skip


class OrderListSerializer(serializers.ModelSerializer):
    buyer_code = serializers.CharField(source="buyer.code", read_only=True)
    line_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Order
        fields = [
            "id", "number", "buyer", "buyer_code", "buyer_reference", "status", "order_date", "ship_date",
            "currency", "total", "line_count", "created_at",
        ]  # fmt: skip


class OrderSerializer(FixedOnUpdateMixin, serializers.ModelSerializer):
    """An order with its lines. On create, and on PUT, `lines` is the complete new set of lines."""

    buyer = serializers.PrimaryKeyRelatedField(queryset=Buyer.objects.all())
    buyer_code = serializers.CharField(source="buyer.code", read_only=True)
    currency = serializers.CharField(max_length=3, required=False, help_text="Defaults to the buyer's currency.")
    lines = OrderLineSerializer(many=True, allow_empty=False)
    allowed_transitions = serializers.SerializerMethodField()

    fixed_on_update = ("buyer",)

    class Meta:
        model = Order
        fields = [
            "id", "number", "buyer", "buyer_code", "buyer_reference", "status", "allowed_transitions",
            "order_date", "ship_date", "currency", "total", "notes", "lines", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["number", "status", "total", "created_at", "updated_at"]

    def validate(self, attrs):
        """The cross-line rules of services.order_lines_check, keyed by line index as DRF reports line errors."""
        if "lines" in attrs:
            buyer = attrs.get("buyer") or self.instance.buyer
            lines = [OrderLine(**line) for line in attrs["lines"]]
            errors = services.order_lines_check(buyer_id=buyer.pk, lines=lines)
            if errors:
                raise serializers.ValidationError({"lines": {str(index): fields for index, fields in errors.items()}})
        return attrs

    def get_allowed_transitions(self, order) -> list[str]:
        return sorted(ORDER_WORKFLOW.allowed(order.status))
