"""The T&A calendar over the API: an order's milestones (GET /orders/{id}/milestones/), every
milestone across orders (GET /order-milestones/, e.g. ?late=true), and PATCH of a milestone's
actual date and notes. Planned dates follow the order's ship date and are never written here."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from apps.core.pagination import CursorPagination

from ..choices import MilestoneState
from ..milestones import order_milestone_update
from ..models import Order, OrderMilestone


class OrderMilestoneSerializer(serializers.ModelSerializer):
    """A milestone with its order, buyer and step, from OrderMilestone.objects.for_list()."""

    order_number = serializers.CharField(source="order.number", read_only=True)
    order_status = serializers.CharField(source="order.status", read_only=True)
    buyer = serializers.IntegerField(source="order.buyer_id", read_only=True)
    buyer_code = serializers.CharField(source="order.buyer.code", read_only=True)
    template_code = serializers.CharField(source="template.code", read_only=True)
    template_name = serializers.CharField(source="template.name", read_only=True)
    state = serializers.ChoiceField(choices=MilestoneState.choices, read_only=True)
    days_late = serializers.IntegerField(read_only=True, allow_null=True, help_text="Set when late or done late.")

    class Meta:
        model = OrderMilestone
        fields = [
            "id", "order", "order_number", "order_status", "buyer", "buyer_code", "template", "template_code",
            "template_name", "days_before_ship", "planned_date", "actual_date", "state", "days_late", "notes",
        ]  # fmt: skip
        read_only_fields = fields


class OrderMilestoneUpdateSerializer(serializers.Serializer):
    """What staff record on a milestone; actual_date null clears it."""

    actual_date = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class OrderMilestoneFilterSet(django_filters.FilterSet):
    buyer = django_filters.NumberFilter(field_name="order__buyer")
    template = django_filters.CharFilter(field_name="template__code", help_text="A step's code, e.g. fabric_booked.")
    late = django_filters.BooleanFilter(method="filter_late", help_text="Open and past the planned date.")
    state = django_filters.MultipleChoiceFilter(choices=MilestoneState.choices)
    planned = django_filters.DateFromToRangeFilter(
        field_name="planned_date", help_text="planned_after / planned_before (YYYY-MM-DD)"
    )

    class Meta:
        model = OrderMilestone
        fields = ["order", "buyer", "template", "late", "state"]

    def filter_late(self, queryset, name, value):
        return queryset.late() if value else queryset.exclude(state=MilestoneState.LATE)


class OrderMilestoneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every order's T&A milestones, oldest plan first; PATCH records a milestone's actual date and notes."""

    queryset = OrderMilestone.objects.all()  # the model, for permission checks; get_queryset() picks the shape
    serializer_class = OrderMilestoneSerializer
    filterset_class = OrderMilestoneFilterSet
    ordering_fields = ["planned_date", "actual_date", "id"]
    ordering = ["planned_date", "id"]
    pagination_class = CursorPagination

    def get_queryset(self):
        return OrderMilestone.objects.for_list()

    @extend_schema(request=OrderMilestoneUpdateSerializer, responses=OrderMilestoneSerializer)
    def partial_update(self, request, pk=None):
        """Record the actual date (not in the future, not before the order date) and notes."""
        milestone = self.get_object()
        data = OrderMilestoneUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order_milestone_update(milestone=milestone, data=data.validated_data)
        return Response(OrderMilestoneSerializer(self.get_queryset().get(pk=milestone.pk)).data)


class OrderMilestonesMixin:
    """OrderViewSet's GET /orders/{id}/milestones/."""

    @extend_schema(responses=OrderMilestoneSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def milestones(self, request, pk=None):
        """The order's T&A calendar: every milestone, in plan order (no pages: an order has a handful)."""
        order = get_object_or_404(Order.objects.only("pk"), pk=pk)
        rows = OrderMilestone.objects.for_list().filter(order=order).order_by("planned_date", "template__position")
        return Response(OrderMilestoneSerializer(rows, many=True).data)
