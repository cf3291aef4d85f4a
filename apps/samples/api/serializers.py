from rest_framework import serializers

from apps.buyers.models import Buyer
from apps.core.serializers import FixedOnUpdateMixin
from apps.inventory.models import Material

from ..choices import SAMPLE_WORKFLOW, SampleStatus
from ..models import Colourway, Sample, SizeRange, Style, StyleMaterial
from .techpacks import SampleMeasurementSerializer


class StyleMaterialSerializer(serializers.ModelSerializer):
    material = serializers.PrimaryKeyRelatedField(queryset=Material.objects.all())
    material_code = serializers.CharField(source="material.code", read_only=True)
    unit = serializers.CharField(source="material.unit", read_only=True)
    consumption_by_size = serializers.SerializerMethodField()

    class Meta:
        model = StyleMaterial
        fields = [
            "material", "material_code", "unit", "colour", "consumption_per_piece", "size_consumption",
            "consumption_by_size", "wastage_percent",
        ]  # fmt: skip

    def get_consumption_by_size(self, line) -> dict[str, str]:
        """Every size of the style's range at its consumption: graded where it is, else the base.
        Reads only the style and range loaded with the bill (Style.objects.for_detail())."""
        decimal_field = self.fields["consumption_per_piece"]
        return {
            size: decimal_field.to_representation(line.size_consumption.get(size, line.consumption_per_piece))
            for size in line.style.sizes
        }


class SizeRangeSerializer(FixedOnUpdateMixin, serializers.ModelSerializer):
    sizes = serializers.ListField(
        child=serializers.CharField(max_length=20),
        help_text="Smallest first, each once (sizes ignore case), e.g. XS, S, M, L, XL, XXL.",
    )

    fixed_on_update = ("code",)

    class Meta:
        model = SizeRange
        fields = ["id", "code", "name", "sizes", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class ColourwaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Colourway
        fields = ["name", "code"]


class StyleSpecsMixin(serializers.Serializer):
    """What orders of a style are taken in: its size range and sizes, and its colourways."""

    size_range = serializers.PrimaryKeyRelatedField(queryset=SizeRange.objects.all(), allow_null=True, required=False)
    sizes = serializers.SerializerMethodField()
    colourways = ColourwaySerializer(many=True, required=False)

    def get_sizes(self, style) -> list[str]:
        """The size range's sizes, smallest first (loaded with the style)."""
        return style.sizes


class StyleListSerializer(StyleSpecsMixin, serializers.ModelSerializer):
    buyer_code = serializers.CharField(source="buyer.code", read_only=True)

    class Meta:
        model = Style
        fields = [
            "id", "code", "name", "buyer", "buyer_code", "season", "category", "target_price", "is_active",
            "size_range", "sizes", "colourways",
        ]  # fmt: skip


class StyleSerializer(FixedOnUpdateMixin, StyleSpecsMixin, serializers.ModelSerializer):
    buyer = serializers.PrimaryKeyRelatedField(queryset=Buyer.objects.all())
    buyer_code = serializers.CharField(source="buyer.code", read_only=True)
    materials = StyleMaterialSerializer(many=True, required=False)

    fixed_on_update = ("code", "buyer")

    class Meta:
        model = Style
        fields = [
            "id", "code", "name", "buyer", "buyer_code", "season", "category", "target_price", "is_active",
            "size_range", "sizes", "colourways", "materials", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]


class SampleListSerializer(serializers.ModelSerializer):
    style_code = serializers.CharField(source="style.code", read_only=True)
    buyer_code = serializers.CharField(source="buyer.code", read_only=True)

    class Meta:
        model = Sample
        fields = [
            "id",
            "number",
            "style",
            "style_code",
            "buyer",
            "buyer_code",
            "type",
            "status",
            "due_date",
            "created_at",
        ]


class SampleSerializer(FixedOnUpdateMixin, serializers.ModelSerializer):
    style = serializers.PrimaryKeyRelatedField(queryset=Style.objects.all())
    style_code = serializers.CharField(source="style.code", read_only=True)
    buyer_code = serializers.CharField(source="buyer.code", read_only=True)
    allowed_transitions = serializers.SerializerMethodField()
    tech_pack_version = serializers.IntegerField(source="tech_pack.version", read_only=True, allow_null=True)
    measurements = SampleMeasurementSerializer(many=True, read_only=True)
    out_of_tolerance_points = serializers.SerializerMethodField()

    fixed_on_update = ("style",)

    class Meta:
        model = Sample
        fields = [
            "id", "number", "style", "style_code", "buyer", "buyer_code", "type", "status", "allowed_transitions",
            "due_date", "submitted_at", "approved_at", "rejected_at", "comments", "tech_pack", "tech_pack_version",
            "size", "measurements", "out_of_tolerance_points", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "number", "buyer", "status", "submitted_at", "approved_at", "rejected_at", "created_at", "updated_at",
        ]  # fmt: skip

    def get_allowed_transitions(self, sample) -> list[str]:
        return sorted(SAMPLE_WORKFLOW.allowed(sample.status))

    def get_out_of_tolerance_points(self, sample) -> list[str]:
        """The codes of the points measured out of tolerance, from the prefetched measurements."""
        return [row.point.code for row in sample.measurements.all() if row.out_of_tolerance]


class SampleTransitionInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SampleStatus.choices)
    comments = serializers.CharField(required=False, allow_blank=True, default="")
