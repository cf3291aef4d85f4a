from django.db import models

from apps.core.workflow import Workflow


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONFIRMED = "confirmed", "Confirmed"
    IN_PRODUCTION = "in_production", "In production"
    SHIPPED = "shipped", "Shipped"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


ORDER_WORKFLOW = Workflow(
    {
        OrderStatus.DRAFT: {OrderStatus.CONFIRMED, OrderStatus.CANCELLED},
        OrderStatus.CONFIRMED: {OrderStatus.IN_PRODUCTION, OrderStatus.CANCELLED},
        OrderStatus.IN_PRODUCTION: {OrderStatus.SHIPPED, OrderStatus.CANCELLED},
        OrderStatus.SHIPPED: {OrderStatus.CLOSED},
    },
    noun="order",
)

# Lines may change until production starts; after that the order is what the factory makes.
EDITABLE_STATUSES = {OrderStatus.DRAFT, OrderStatus.CONFIRMED}
# Orders whose materials must be on hand or on order (material requirements).
DEMAND_STATUSES = {OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION}


class MilestoneState(models.TextChoices):
    """Where a T&A milestone stands against its planned date (OrderMilestone.objects.with_state())."""

    PENDING = "pending", "Pending"
    LATE = "late", "Late"
    DONE = "done", "Done"
    DONE_LATE = "done_late", "Done late"


# Orders whose open milestones still matter: once shipped, closed or cancelled, nothing is late any more.
TRACKED_STATUSES = {OrderStatus.DRAFT, OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION}
