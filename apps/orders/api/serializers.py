from rest_framework import serializers

from apps.buyers.models import Buyer
from apps.core.grids import MAX_QUANTITY
from apps.core.serializers import FixedOnUpdateMixin
from apps.samples.models import Style

from .. import services
from ..choices import ORDER_WORKFLOW
from ..models import Order, OrderLine
from ..selectors import order_grid

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


class OrderGridListSerializer(serializers.ListSerializer):
    """Reads an order's lines as grid lines; writes take the grid lines as sent."""

    def get_attribute(self, order):
        return order_grid(order.lines.all())


class OrderGridLineSerializer(serializers.Serializer):
    """One style at one unit price as a colour x size matrix; stored as one order line per cell."""

    style = serializers.PrimaryKeyRelatedField(queryset=Style.objects.all())
    style_code = serializers.CharField(read_only=True)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    colours = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="The matrix's rows.")
    sizes = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="The matrix's columns.")
    quantities = serializers.DictField(
        child=serializers.DictField(
            child=serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY, allow_null=True)
        ),
        help_text=(
            'Pieces per colour and size: {"Navy": {"S": 120, "M": 240}, "White": {"M": 60}}. Colours are the '
            "style's colourways, sizes those of its size range (any case); null or 0 cells are left out."
        ),
    )
    total_quantity = serializers.IntegerField(read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        list_serializer_class = OrderGridListSerializer


class OrderSerializer(FixedOnUpdateMixin, serializers.ModelSerializer):
    """An order with its lines, also shown as `grid` (colour x size per style and unit price).

    On create, and on PUT, send the complete new set of lines either as `lines` (one per SKU) or
    as `grid`, never both; PATCH without either keeps the lines.
    """

    buyer = serializers.PrimaryKeyRelatedField(queryset=Buyer.objects.all())
    buyer_code = serializers.CharField(source="buyer.code", read_only=True)
    currency = serializers.CharField(max_length=3, required=False, help_text="Defaults to the buyer's currency.")
    lines = OrderLineSerializer(many=True, allow_empty=False, required=False)
    grid = OrderGridLineSerializer(many=True, allow_empty=False, required=False)
    allowed_transitions = serializers.SerializerMethodField()

    fixed_on_update = ("buyer",)

    class Meta:
        model = Order
        fields = [
            "id", "number", "buyer", "buyer_code", "buyer_reference", "status", "allowed_transitions",
            "order_date", "ship_date", "currency", "total", "notes", "lines", "grid", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["number", "status", "total", "created_at", "updated_at"]

    def validate(self, attrs):
        """Lines or grid, not both; the cross-line rules of services.order_lines_check (or
        order_grid_check), keyed by line (or grid line) index as DRF reports line errors.
        A grid leaves here as the lines it stands for."""
        if "lines" in attrs and "grid" in attrs:
            raise serializers.ValidationError({"grid": ["Send the lines either as lines or as grid, not both."]})
        if "grid" in attrs:
            attrs["lines"], errors = services.order_grid_check(buyer_id=self._buyer(attrs).pk, grid=attrs.pop("grid"))
            self._raise_by_index("grid", errors)
        elif "lines" in attrs:
            lines = [OrderLine(**line) for line in attrs["lines"]]
            self._raise_by_index("lines", services.order_lines_check(buyer_id=self._buyer(attrs).pk, lines=lines))
        elif not self.partial and "lines" in self.fields:  # create and PUT send the complete set of lines
            raise serializers.ValidationError({"lines": ["Send the order's lines, as lines or as grid."]})
        return attrs

    def _buyer(self, attrs) -> Buyer:
        return attrs.get("buyer") or self.instance.buyer

    @staticmethod
    def _raise_by_index(field: str, errors: dict[int, dict]) -> None:
        if errors:
            raise serializers.ValidationError({field: {str(index): fields for index, fields in errors.items()}})

    def get_allowed_transitions(self, order) -> list[str]:
        return sorted(ORDER_WORKFLOW.allowed(order.status))
