from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.buyers.models import Buyer
from apps.core.pagination import CursorPagination
from apps.core.viewsets import CachedLookupViewSet, CreateUpdateViewSet

from .. import services, techpacks
from ..models import SAMPLE_SEARCH, STYLE_SEARCH, Colourway, Sample, SizeRange, Style
from .filters import SampleFilterSet, StyleFilterSet
from .serializers import (
    SampleListSerializer,
    SampleSerializer,
    SampleTransitionInputSerializer,
    SizeRangeSerializer,
    StyleListSerializer,
    StyleSerializer,
)
from .techpacks import SampleMeasurementsInputSerializer


class StyleViewSet(CachedLookupViewSet):
    """Styles with their size range, colourways and bill of materials; sending `colourways` or `materials`
    replaces them whole."""

    queryset = Style.objects.all()  # the model, for permission checks; get_queryset() picks the shape

    cache_name = "styles"
    cache_depends_on = (Style, Buyer, SizeRange, Colourway)  # the list shows the buyer's code, sizes, colourways

    filterset_class = StyleFilterSet
    search = STYLE_SEARCH
    ordering_fields = ["code", "name", "season", "created_at"]
    ordering = ["code", "id"]

    def get_queryset(self):
        return Style.objects.for_list() if self.action == "list" else Style.objects.for_detail()

    def get_serializer_class(self):
        return StyleListSerializer if self.action == "list" else StyleSerializer

    @transaction.atomic  # a refused bill or colourway leaves no style behind
    def perform_create(self, serializer):
        lines = self._pop_lines(serializer)
        style = services.style_create(**serializer.validated_data)
        serializer.instance = self._set_lines(style, **lines)

    @transaction.atomic
    def perform_update(self, serializer):
        lines = self._pop_lines(serializer)
        style = services.style_update(style=serializer.instance, data=serializer.validated_data)
        serializer.instance = self._set_lines(style, **lines)

    @staticmethod
    def _pop_lines(serializer) -> dict:
        return {name: serializer.validated_data.pop(name, None) for name in ("colourways", "materials")}

    @staticmethod
    def _set_lines(style, *, colourways, materials) -> Style:
        """Replace the colourways, then the bill (its lines may name colourways), where sent."""
        if colourways is not None:
            services.style_set_colourways(style=style, colourways=colourways)
        if materials is not None:
            services.style_set_materials(style=style, materials=materials)
        return Style.objects.for_detail().get(pk=style.pk)


class SizeRangeViewSet(mixins.DestroyModelMixin, CachedLookupViewSet):
    """Size ranges (XS-XXL, 28-40...): a style takes orders in the sizes of its range. A size that
    order lines use cannot be removed; a range that styles use cannot be deleted."""

    cache_name = "size_ranges"
    cache_depends_on = (SizeRange,)

    queryset = SizeRange.objects.all()
    serializer_class = SizeRangeSerializer
    search_fields = ["code", "name"]  # a few dozen rows: no search index needed
    ordering_fields = ["code", "name", "created_at"]
    ordering = ["code", "id"]

    def perform_create(self, serializer):
        serializer.instance = services.size_range_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.size_range_update(size_range=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.size_range_delete(size_range=instance)


class SampleViewSet(CreateUpdateViewSet):
    """Samples; status moves only through POST /samples/{id}/transition/."""

    queryset = Sample.objects.all()  # the model, for permission checks; get_queryset() picks the shape

    filterset_class = SampleFilterSet
    search = SAMPLE_SEARCH
    ordering_fields = ["created_at", "due_date", "number"]
    ordering = ["-created_at", "-id"]
    pagination_class = CursorPagination
    action_permissions = {
        "transition": ["samples.change_sample"],
        "measurements": ["samples.change_samplemeasurement"],
    }

    def get_queryset(self):
        return Sample.objects.for_list() if self.action == "list" else Sample.objects.for_detail()

    def get_serializer_class(self):
        return SampleListSerializer if self.action == "list" else SampleSerializer

    def perform_create(self, serializer):
        sample = services.sample_request(**serializer.validated_data)
        serializer.instance = Sample.objects.for_detail().get(pk=sample.pk)

    def perform_update(self, serializer):
        sample = services.sample_update(sample=serializer.instance, data=serializer.validated_data)
        serializer.instance = Sample.objects.for_detail().get(pk=sample.pk)

    @extend_schema(request=SampleTransitionInputSerializer, responses=SampleSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the sample to `status` (requested -> in_progress -> submitted -> approved | rejected)."""
        payload = SampleTransitionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sample = services.sample_transition(sample=self.get_object(), **payload.validated_data)
        return Response(SampleSerializer(Sample.objects.for_detail().get(pk=sample.pk)).data)

    @extend_schema(request=SampleMeasurementsInputSerializer, responses=SampleSerializer)
    @action(detail=True, methods=["put"])
    def measurements(self, request, pk=None):
        """Record the points measured on the sample: each is checked against its tech pack's spec in its size."""
        payload = SampleMeasurementsInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sample = self.get_object()
        techpacks.sample_record_measurements(sample=sample, measured=payload.validated_data["measurements"])
        return Response(SampleSerializer(Sample.objects.for_detail().get(pk=sample.pk)).data)
