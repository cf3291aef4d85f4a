from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.buyers.models import Buyer
from apps.core.pagination import CursorPagination
from apps.core.viewsets import CachedLookupViewSet, CreateUpdateViewSet

from .. import services
from ..models import SAMPLE_SEARCH, STYLE_SEARCH, Sample, Style
from .filters import SampleFilterSet, StyleFilterSet
from .serializers import (
    SampleListSerializer,
    SampleSerializer,
    SampleTransitionInputSerializer,
    StyleListSerializer,
    StyleSerializer,
)


class StyleViewSet(CachedLookupViewSet):
    """Styles with their bill of materials; sending `materials` replaces the whole bill."""

    queryset = Style.objects.all()  # the model, for permission checks; get_queryset() picks the shape

    cache_name = "styles"
    cache_depends_on = (Style, Buyer)  # the list shows the buyer's code

    filterset_class = StyleFilterSet
    search = STYLE_SEARCH
    ordering_fields = ["code", "name", "season", "created_at"]
    ordering = ["code", "id"]

    def get_queryset(self):
        return Style.objects.for_list() if self.action == "list" else Style.objects.for_detail()

    def get_serializer_class(self):
        return StyleListSerializer if self.action == "list" else StyleSerializer

    def perform_create(self, serializer):
        materials = serializer.validated_data.pop("materials", None)
        style = services.style_create(**serializer.validated_data)
        if materials is not None:
            services.style_set_materials(style=style, materials=materials)
        serializer.instance = Style.objects.for_detail().get(pk=style.pk)

    def perform_update(self, serializer):
        materials = serializer.validated_data.pop("materials", None)
        style = services.style_update(style=serializer.instance, data=serializer.validated_data)
        if materials is not None:
            services.style_set_materials(style=style, materials=materials)
        serializer.instance = Style.objects.for_detail().get(pk=style.pk)


class SampleViewSet(CreateUpdateViewSet):
    """Samples; status moves only through POST /samples/{id}/transition/."""

    queryset = Sample.objects.all()  # the model, for permission checks; get_queryset() picks the shape

    filterset_class = SampleFilterSet
    search = SAMPLE_SEARCH
    ordering_fields = ["created_at", "due_date", "number"]
    ordering = ["-created_at", "-id"]
    pagination_class = CursorPagination
    action_permissions = {"transition": ["samples.change_sample"]}

    def get_queryset(self):
        return Sample.objects.for_list()

    def get_serializer_class(self):
        return SampleListSerializer if self.action == "list" else SampleSerializer

    def perform_create(self, serializer):
        serializer.instance = services.sample_request(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.sample_update(sample=serializer.instance, data=serializer.validated_data)

    @extend_schema(request=SampleTransitionInputSerializer, responses=SampleSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the sample to `status` (requested -> in_progress -> submitted -> approved | rejected)."""
        payload = SampleTransitionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sample = services.sample_transition(sample=self.get_object(), **payload.validated_data)
        return Response(SampleSerializer(Sample.objects.for_list().get(pk=sample.pk)).data)
