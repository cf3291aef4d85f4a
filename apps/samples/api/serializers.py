from rest_framework import serializers

from apps.buyers.models import Buyer
from apps.core.serializers import FixedOnUpdateMixin
from apps.inventory.models import Material

from ..choices import SAMPLE_WORKFLOW, SampleStatus
from ..models import Sample, Style, StyleMaterial


class StyleMaterialSerializer(serializers.ModelSerializer):
    material = serializers.PrimaryKeyRelatedField(queryset=Material.objects.all())
    material_code = serializers.CharField(source="material.code", read_only=True)
    unit = serializers.CharField(source="material.unit", read_only=True)

    class Meta:
        model = StyleMaterial
        fields = ["material", "material_code", "unit", "consumption_per_piece", "wastage_percent"]


class StyleListSerializer(serializers.ModelSerializer):
    buyer_code = serializers.CharField(source="buyer.code", read_only=True)

    class Meta:
        model = Style
        fields = ["id", "code", "name", "buyer", "buyer_code", "season", "category", "target_price", "is_active"]


class StyleSerializer(FixedOnUpdateMixin, serializers.ModelSerializer):
    buyer = serializers.PrimaryKeyRelatedField(queryset=Buyer.objects.all())
    buyer_code = serializers.CharField(source="buyer.code", read_only=True)
    materials = StyleMaterialSerializer(many=True, required=False)

    fixed_on_update = ("code", "buyer")

    class Meta:
        model = Style
        fields = [
            "id", "code", "name", "buyer", "buyer_code", "season", "category", "target_price", "is_active",
            "materials", "created_at", "updated_at",
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

    fixed_on_update = ("style",)

    class Meta:
        model = Sample
        fields = [
            "id", "number", "style", "style_code", "buyer", "buyer_code", "type", "status", "allowed_transitions",
            "due_date", "submitted_at", "approved_at", "rejected_at", "comments", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "number", "buyer", "status", "submitted_at", "approved_at", "rejected_at", "created_at", "updated_at",
        ]  # fmt: skip

    def get_allowed_transitions(self, sample) -> list[str]:
        return sorted(SAMPLE_WORKFLOW.allowed(sample.status))


class SampleTransitionInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SampleStatus.choices)
    comments = serializers.CharField(required=False, allow_blank=True, default="")
