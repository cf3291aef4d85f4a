from django.db import models

from apps.core.workflow import Workflow


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    PARTIALLY_RECEIVED = "partially_received", "Partially received"
    RECEIVED = "received", "Received"
    CANCELLED = "cancelled", "Cancelled"


# Receipts move sent orders on by themselves (see services.purchase_order_receive).
PURCHASE_ORDER_WORKFLOW = Workflow(
    {
        PurchaseOrderStatus.DRAFT: {PurchaseOrderStatus.SENT, PurchaseOrderStatus.CANCELLED},
        PurchaseOrderStatus.SENT: {
            PurchaseOrderStatus.PARTIALLY_RECEIVED,
            PurchaseOrderStatus.RECEIVED,
            PurchaseOrderStatus.CANCELLED,
        },
        PurchaseOrderStatus.PARTIALLY_RECEIVED: {PurchaseOrderStatus.RECEIVED},
    },
    noun="purchase order",
)

RECEIVABLE_STATUSES = {PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTIALLY_RECEIVED}
# Quantities on these orders are still coming (material requirements count them as on order).
OPEN_STATUSES = {PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTIALLY_RECEIVED}
