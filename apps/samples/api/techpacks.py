"""API of tech packs (versioned measurement charts) and of the measurements of samples."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.grids import repeated
from apps.core.serializers import FixedOnUpdateMixin
from apps.core.viewsets import CreateUpdateViewSet

from .. import techpacks
from ..grading import CENTS, graded_chart
from ..models import MeasurementPoint, SampleMeasurement, Style, TechPack


class MeasurementPointSerializer(serializers.ModelSerializer):
    increments = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=2),
        required=False,
        help_text='Grading per size from the next size nearer the base: {"L": "2.00", "S": "2.00"}; a size left out '
        "grades by 0.",
    )

    class Meta:
        model = MeasurementPoint
        fields = ["id", "code", "description", "base_value", "tolerance", "increments", "position"]
        read_only_fields = ["position"]  # the order of the list sent

    def validate_increments(self, increments):
        return {size: str(step) for size, step in increments.items()}  # stored as JSON, which has no Decimal


class TechPackListSerializer(serializers.ModelSerializer):
    style_code = serializers.CharField(source="style.code", read_only=True)
    is_newest = serializers.BooleanField(read_only=True)
    sample_count = serializers.IntegerField(read_only=True, help_text="Samples made to this version.")

    class Meta:
        model = TechPack
        fields = [
            "id", "style", "style_code", "version", "base_size", "revision_note", "is_newest", "sample_count",
            "created_at",
        ]  # fmt: skip


class TechPackSerializer(FixedOnUpdateMixin, TechPackListSerializer):
    """A version with its chart (`points`, replaced as a whole when sent) and the chart graded into every size.
    Only the newest version, before any sample is made to it, may change (`editable`)."""

    style = serializers.PrimaryKeyRelatedField(queryset=Style.objects.all())
    points = MeasurementPointSerializer(many=True, required=False)
    editable = serializers.SerializerMethodField()
    graded = serializers.SerializerMethodField()

    fixed_on_update = ("style",)

    class Meta:
        model = TechPack
        fields = [
            "id", "style", "style_code", "version", "sizes", "base_size", "revision_note", "is_newest",
            "sample_count", "editable", "created_by", "points", "graded", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["version", "sizes", "created_by", "created_at", "updated_at"]

    def get_editable(self, tech_pack) -> bool:
        return tech_pack.is_newest and not tech_pack.sample_count

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "object"}})
    def get_graded(self, tech_pack) -> dict:
        """{size: {point code: value}}, from the prefetched points."""
        chart = graded_chart(sizes=tech_pack.sizes, base_size=tech_pack.base_size, points=tech_pack.points.all())
        return {size: {code: str(value.quantize(CENTS)) for code, value in row.items()} for size, row in chart.items()}


class TechPackNewVersionInputSerializer(serializers.Serializer):
    revision_note = serializers.CharField(help_text="What the buyer changed.")


class TechPackFilterSet(django_filters.FilterSet):
    style_code = django_filters.CharFilter(field_name="style__code", lookup_expr="iexact")

    class Meta:
        model = TechPack
        fields = ["style", "version"]


class TechPackViewSet(CreateUpdateViewSet):
    """Tech packs: POST creates a style's first version; POST /tech-packs/{id}/new-version/ starts the next one
    from the newest; only the newest, before a sample is made to it, may be changed."""

    queryset = TechPack.objects.all()  # the model, for permission checks; get_queryset() picks the shape

    filterset_class = TechPackFilterSet
    ordering_fields = ["created_at", "version"]
    ordering = ["style_id", "-version", "id"]
    action_permissions = {"new_version": ["samples.add_techpack"]}

    def get_queryset(self):
        return TechPack.objects.for_list() if self.action == "list" else TechPack.objects.for_detail()

    def get_serializer_class(self):
        return TechPackListSerializer if self.action == "list" else TechPackSerializer

    def perform_create(self, serializer):
        points = serializer.validated_data.pop("points", [])
        tech_pack = techpacks.tech_pack_create(**serializer.validated_data, points=points, created_by=self.request.user)
        serializer.instance = TechPack.objects.for_detail().get(pk=tech_pack.pk)

    def perform_update(self, serializer):
        points = serializer.validated_data.pop("points", None)
        techpacks.tech_pack_update(tech_pack=serializer.instance, data=serializer.validated_data, points=points)
        serializer.instance = TechPack.objects.for_detail().get(pk=serializer.instance.pk)

    @extend_schema(request=TechPackNewVersionInputSerializer, responses={201: TechPackSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        """Start the next version from this one (the newest), on a buyer's revision: the same chart, to change."""
        payload = TechPackNewVersionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        tech_pack = techpacks.tech_pack_new_version(
            tech_pack=self.get_object(), created_by=request.user, **payload.validated_data
        )
        body = TechPackSerializer(TechPack.objects.for_detail().get(pk=tech_pack.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class SampleMeasurementSerializer(serializers.ModelSerializer):
    """A point measured on a sample, with the spec and tolerance it had when recorded; deviation = measured - spec."""

    code = serializers.CharField(source="point.code", read_only=True)
    description = serializers.CharField(source="point.description", read_only=True)
    deviation = serializers.DecimalField(max_digits=9, decimal_places=2, read_only=True)

    class Meta:
        model = SampleMeasurement
        fields = ["point", "code", "description", "measured", "spec", "deviation", "tolerance", "out_of_tolerance"]
        read_only_fields = fields


class MeasurementInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=10, help_text="The point's code on the sample's tech pack.")
    measured = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0)


class SampleMeasurementsInputSerializer(serializers.Serializer):
    """All the points measured on a sample; those not listed are no longer measured."""

    measurements = MeasurementInputSerializer(many=True, allow_empty=True)

    def validate_measurements(self, rows):
        twice = repeated(row["code"] for row in rows)
        if twice:
            raise serializers.ValidationError(f"Each point once: {', '.join(twice)} repeated.")
        return {row["code"]: row["measured"] for row in rows}
