from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.pagination import CursorPagination
from apps.core.viewsets import CreateUpdateViewSet

from .. import services
from ..choices import OrderStatus
from ..models import ORDER_LINE_SEARCH, ORDER_SEARCH, Order, OrderLine
from .filters import OrderFilterSet, OrderLineFilterSet
from .milestones import OrderMilestonesMixin
from .serializers import OrderLineListSerializer, OrderListSerializer, OrderSerializer


def _transition(name: str, status: str, summary: str):
    """A POST /orders/{id}/<name>/ action moving the order to `status`."""

    def handler(self, request, pk=None):
        order = services.order_transition(order=self.get_object(), status=status)
        return Response(OrderSerializer(Order.objects.for_detail().get(pk=order.pk)).data)

    handler.__name__ = name
    handler.__doc__ = summary
    url_path = name.replace("_", "-")
    return extend_schema(request=None, responses=OrderSerializer)(
        action(detail=True, methods=["post"], url_path=url_path)(handler)
    )


class OrderViewSet(OrderMilestonesMixin, CreateUpdateViewSet):
    """Orders with their lines, created or replaced in one request; workflow steps are POST actions."""

    queryset = Order.objects.all()  # the model, for permission checks; get_queryset() picks the shape

    filterset_class = OrderFilterSet
    search = ORDER_SEARCH
    ordering_fields = ["created_at", "order_date", "ship_date", "total", "number"]
    ordering = ["-created_at", "-id"]
    pagination_class = CursorPagination
    action_permissions = {
        **{name: ["orders.change_order"] for name in ("confirm", "start_production", "ship", "close", "cancel")},
        "milestones": ["orders.view_ordermilestone"],
    }

    confirm = _transition("confirm", OrderStatus.CONFIRMED, "Confirm a draft order.")
    start_production = _transition("start_production", OrderStatus.IN_PRODUCTION, "Start production.")
    ship = _transition("ship", OrderStatus.SHIPPED, "Mark the order shipped.")
    close = _transition("close", OrderStatus.CLOSED, "Close a shipped order.")
    cancel = _transition("cancel", OrderStatus.CANCELLED, "Cancel an order before it ships.")

    def get_queryset(self):
        return Order.objects.for_list() if self.action == "list" else Order.objects.for_detail()

    def get_serializer_class(self):
        return OrderListSerializer if self.action == "list" else OrderSerializer

    def perform_create(self, serializer):
        order = services.order_create(**serializer.validated_data)
        serializer.instance = Order.objects.for_detail().get(pk=order.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        lines = data.pop("lines", None)
        order = services.order_update(order=serializer.instance, data=data, lines=lines)
        serializer.instance = Order.objects.for_detail().get(pk=order.pk)


class OrderLineViewSet(viewsets.ReadOnlyModelViewSet):
    """Every order line (one row per SKU), for reports and integrations; edit lines through their order."""

    queryset = OrderLine.objects.for_list()
    serializer_class = OrderLineListSerializer
    filterset_class = OrderLineFilterSet
    search = ORDER_LINE_SEARCH
    ordering_fields = ["id", "quantity", "amount"]
    ordering = ["-id"]
    pagination_class = CursorPagination
