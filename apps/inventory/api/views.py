from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from apps.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from apps.core.idempotency import idempotent
from apps.core.pagination import CursorPagination
from apps.core.viewsets import CachedLookupViewSet

from .. import services
from ..models import (
    BY_MATERIAL_SEARCH,
    MATERIAL_SEARCH,
    WAREHOUSE_SEARCH,
    Material,
    StockLevel,
    StockMovement,
    Warehouse,
)
from .filters import MaterialFilterSet, StockLevelFilterSet, StockMovementFilterSet, WarehouseFilterSet
from .serializers import (
    MaterialListSerializer,
    MaterialSerializer,
    StockLevelSerializer,
    StockMovementPostInputSerializer,
    StockMovementPostResultSerializer,
    StockMovementSerializer,
    WarehouseListSerializer,
    WarehouseSerializer,
)


class WarehouseViewSet(CachedLookupViewSet):
    """Warehouses: list, search (?search=), filter, order, create and update; never deleted, deactivated instead."""

    cache_name = "warehouses"
    cache_depends_on = (Warehouse,)

    queryset = Warehouse.objects.all()
    filterset_class = WarehouseFilterSet
    search = WAREHOUSE_SEARCH
    ordering_fields = ["code", "name"]
    ordering = ["code", "id"]

    def get_serializer_class(self):
        return WarehouseListSerializer if self.action == "list" else WarehouseSerializer

    def perform_create(self, serializer):
        serializer.instance = services.warehouse_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.warehouse_update(warehouse=serializer.instance, data=serializer.validated_data)


class MaterialViewSet(CachedLookupViewSet):
    """Materials with their stock over all warehouses (`on_hand`); ?below_reorder=true lists what to buy.

    Never deleted through the API; deactivate them instead (is_active=false).
    """

    cache_name = "materials"
    cache_depends_on = (Material, StockMovement)  # the list shows stock on hand

    queryset = Material.objects.for_list().with_on_hand()
    filterset_class = MaterialFilterSet
    search = MATERIAL_SEARCH
    ordering_fields = ["code", "name", "kind", "reorder_level", "on_hand", "created_at", "updated_at"]
    ordering = ["code", "id"]

    def get_serializer_class(self):
        return MaterialListSerializer if self.action == "list" else MaterialSerializer

    def perform_create(self, serializer):
        material = services.material_create(**serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=material.pk)

    def perform_update(self, serializer):
        material = services.material_update(material=serializer.instance, data=serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=material.pk)


class StockLevelViewSet(viewsets.ReadOnlyModelViewSet):
    """On hand per material and warehouse; read-only, levels change only by posting stock movements."""

    queryset = StockLevel.objects.for_list()
    serializer_class = StockLevelSerializer
    filterset_class = StockLevelFilterSet
    search = BY_MATERIAL_SEARCH
    ordering_fields = ["material_id", "warehouse_id", "on_hand", "updated_at"]
    ordering = ["material_id", "warehouse_id"]


class StockMovementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The stock ledger: read-only lines, newest first. POST posts a receipt, issue, adjustment or transfer.

    A posting answers 201 with `{"movements": [...]}`: one line, or for a transfer two (outgoing,
    then incoming). Send an `Idempotency-Key` header to make a retried POST post only once.
    """

    queryset = StockMovement.objects.for_list()
    lookup_field = "id"  # the primary key is (id, created_at); the id alone names a movement
    filterset_class = StockMovementFilterSet
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    pagination_class = CursorPagination

    def get_serializer_class(self):
        return StockMovementPostInputSerializer if self.action == "create" else StockMovementSerializer

    @extend_schema(
        request=StockMovementPostInputSerializer,
        responses={201: StockMovementPostResultSerializer},
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                location=OpenApiParameter.HEADER,
                required=False,
                description="Any unique string; a retry with the same key and body gets the first answer back.",
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        """Post a movement through the stock services; refused postings write nothing."""
        payload = StockMovementPostInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)

        def post() -> Response:
            movements = services.stock_post(**payload.validated_data, user=request.user)
            rows = self.get_queryset().filter(id__in=[movement.id for movement in movements]).order_by("id")
            body = {"movements": StockMovementSerializer(rows, many=True).data}
            return Response(body, status=status.HTTP_201_CREATED)

        return idempotent(request, scope="stock-movement-post", perform=post)
