from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.idempotency import idempotent
from apps.core.pagination import CursorPagination
from apps.core.viewsets import CachedLookupViewSet

from .. import services
from ..choices import PurchaseOrderStatus
from ..models import (
    PURCHASE_ORDER_SEARCH,
    SUPPLIER_SEARCH,
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierMaterial,
)
from ..selectors import material_requirements
from .filters import PurchaseOrderFilterSet, PurchaseOrderLineFilterSet, SupplierFilterSet, SupplierMaterialFilterSet
from .serializers import (
    GoodsReceiptSerializer,
    MaterialRequirementDraftInputSerializer,
    MaterialRequirementDraftResultSerializer,
    MaterialRequirementQuerySerializer,
    MaterialRequirementSerializer,
    PurchaseOrderInputSerializer,
    PurchaseOrderLineListSerializer,
    PurchaseOrderListSerializer,
    PurchaseOrderReceiveInputSerializer,
    PurchaseOrderSerializer,
    SupplierListSerializer,
    SupplierMaterialSerializer,
    SupplierSerializer,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    description="A unique key per intended write: a retry with the same key and body replays the first answer "
    "(with Idempotent-Replayed: true) instead of writing again; the same key with another body is 409.",
)


class SupplierViewSet(CachedLookupViewSet):
    """Suppliers: list, search (?search=), filter, order, create and update; deactivate instead of deleting."""

    cache_name = "suppliers"
    cache_depends_on = (Supplier,)

    queryset = Supplier.objects.for_list()
    filterset_class = SupplierFilterSet
    search = SUPPLIER_SEARCH
    ordering_fields = ["code", "name", "country", "lead_time_days", "created_at", "updated_at"]
    ordering = ["name", "id"]

    def get_serializer_class(self):
        return SupplierListSerializer if self.action == "list" else SupplierSerializer

    def perform_create(self, serializer):
        serializer.instance = services.supplier_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.supplier_update(supplier=serializer.instance, data=serializer.validated_data)


class SupplierMaterialViewSet(viewsets.ModelViewSet):
    """What each supplier sells and at what price. At most one supplier per material is preferred:
    material requirements draft purchase orders to it."""

    queryset = SupplierMaterial.objects.select_related("supplier", "material")
    serializer_class = SupplierMaterialSerializer
    filterset_class = SupplierMaterialFilterSet
    ordering_fields = ["id", "unit_price", "supplier__code", "material__code"]
    ordering = ["supplier_id", "material_id", "id"]

    def perform_create(self, serializer):
        serializer.instance = services.supplier_material_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.supplier_material_update(
            supplier_material=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.supplier_material_delete(supplier_material=instance)


class PurchaseOrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Purchase orders to suppliers. Created as drafts with their lines; only drafts change.
    POST send/ and cancel/ move the status; receive/ books a delivery and posts stock."""

    queryset = PurchaseOrder.objects.all()  # the model, for permission checks; get_queryset() picks the shape

    filterset_class = PurchaseOrderFilterSet
    search = PURCHASE_ORDER_SEARCH
    ordering_fields = ["number", "order_date", "expected_date", "total", "status", "created_at"]
    ordering = ["-created_at", "-id"]
    pagination_class = CursorPagination
    action_permissions = {
        "send": ["purchasing.change_purchaseorder"],
        "cancel": ["purchasing.change_purchaseorder"],
        "receive": ["purchasing.receive_purchaseorder"],
    }

    def get_queryset(self):
        if self.action == "list":
            return PurchaseOrder.objects.for_list()
        if self.action in ("send", "cancel", "receive"):
            return PurchaseOrder.objects.all()  # the service locks and re-reads the row
        return PurchaseOrder.objects.for_detail()

    def get_serializer_class(self):
        if self.action == "list":
            return PurchaseOrderListSerializer
        if self.action in ("create", "update", "partial_update"):
            return PurchaseOrderInputSerializer
        if self.action == "receive":
            return PurchaseOrderReceiveInputSerializer
        return PurchaseOrderSerializer

    def _detail(self, purchase_order: PurchaseOrder, status_code=status.HTTP_200_OK) -> Response:
        purchase_order = PurchaseOrder.objects.for_detail().get(pk=purchase_order.pk)
        serializer = PurchaseOrderSerializer(purchase_order, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    @extend_schema(request=PurchaseOrderInputSerializer, responses={201: PurchaseOrderSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        purchase_order = services.purchase_order_create(**serializer.validated_data)
        return self._detail(purchase_order, status.HTTP_201_CREATED)

    @extend_schema(request=PurchaseOrderInputSerializer, responses=PurchaseOrderSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lines = data.pop("lines", None)
        purchase_order = services.purchase_order_update(purchase_order=serializer.instance, data=data, lines=lines)
        return self._detail(purchase_order)

    @extend_schema(request=PurchaseOrderInputSerializer, responses=PurchaseOrderSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=None, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send a draft to the supplier."""
        purchase_order = services.purchase_order_transition(
            purchase_order=self.get_object(), status=PurchaseOrderStatus.SENT
        )
        return self._detail(purchase_order)

    @extend_schema(request=None, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a draft or a sent order that nothing was received against."""
        purchase_order = services.purchase_order_transition(
            purchase_order=self.get_object(), status=PurchaseOrderStatus.CANCELLED
        )
        return self._detail(purchase_order)

    @extend_schema(
        request=PurchaseOrderReceiveInputSerializer,
        responses={201: GoodsReceiptSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """Book a delivery against a sent order: posts stock receipts and moves it to (partially) received."""
        purchase_order = self.get_object()

        def perform():
            context = {**self.get_serializer_context(), "purchase_order": purchase_order}
            serializer = PurchaseOrderReceiveInputSerializer(data=request.data, context=context)
            serializer.is_valid(raise_exception=True)
            receipt = services.purchase_order_receive(
                purchase_order=purchase_order,
                lines=serializer.validated_data["lines"],
                delivery_note=serializer.validated_data["delivery_note"],
                user=request.user,
            )
            lines = GoodsReceiptLine.objects.select_related("purchase_order_line__material").order_by("id")
            receipt = (
                GoodsReceipt.objects.select_related("purchase_order")
                .prefetch_related(Prefetch("lines", queryset=lines))
                .get(pk=receipt.pk)
            )
            return Response(GoodsReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"purchase-order-receive:{purchase_order.pk}", perform=perform)


class PurchaseOrderLineViewSet(viewsets.ReadOnlyModelViewSet):
    """Purchase order lines across orders, e.g. what is still to arrive of a material (?outstanding=true)."""

    queryset = PurchaseOrderLine.objects.for_list()
    serializer_class = PurchaseOrderLineListSerializer
    filterset_class = PurchaseOrderLineFilterSet
    ordering_fields = ["id", "quantity", "received_quantity"]
    ordering = ["purchase_order_id", "id"]
    pagination_class = CursorPagination


class MaterialRequirementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Material requirements: what confirmed and in-production orders need (bill of materials with
    wastage), less stock on hand in all warehouses and quantities still on open purchase orders.

    Lists shortages (or, with ?all=true, every material with demand); POST draft-purchase-orders/
    drafts one purchase order per preferred supplier for the shortages.
    """

    serializer_class = MaterialRequirementSerializer
    filter_backends = []  # the selector fixes the order (material code); ?all= is its only option
    action_permissions = {
        "list": ["purchasing.view_purchaseorder"],
        "draft_purchase_orders": ["purchasing.add_purchaseorder"],
    }

    def get_queryset(self):
        query = MaterialRequirementQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return material_requirements(shortages_only=not query.validated_data["all"])

    def get_serializer_class(self):
        if self.action == "draft_purchase_orders":
            return MaterialRequirementDraftInputSerializer
        return MaterialRequirementSerializer

    @extend_schema(parameters=[MaterialRequirementQuerySerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=MaterialRequirementDraftInputSerializer,
        responses={
            201: OpenApiResponse(MaterialRequirementDraftResultSerializer, description="Purchase orders drafted."),
            200: OpenApiResponse(MaterialRequirementDraftResultSerializer, description="Nothing left to draft."),
        },
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=False, methods=["post"], url_path="draft-purchase-orders")
    def draft_purchase_orders(self, request):
        """Draft purchase orders for every shortage, one per preferred supplier, delivered to a warehouse.

        Materials without a preferred supplier are listed in `skipped`. Drafts count as on order,
        so a second call drafts nothing.
        """

        def perform():
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            drafts, skipped = services.purchase_orders_draft_for_shortages(
                warehouse=serializer.validated_data["warehouse"]
            )
            result = MaterialRequirementDraftResultSerializer({"purchase_orders": drafts, "skipped": skipped})
            return Response(result.data, status=status.HTTP_201_CREATED if drafts else status.HTTP_200_OK)

        return idempotent(request, scope="material-requirements-draft", perform=perform)
