"""Assertions shared by the purchasing API and admin tests."""

from apps.inventory.models import StockLevel, StockMovement
from apps.purchasing.models import GoodsReceipt, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierMaterial


def row_counts() -> dict:
    """How many rows purchasing writes touch: compare before and after a refused request."""
    models = [Supplier, SupplierMaterial, PurchaseOrder, PurchaseOrderLine, GoodsReceipt, StockLevel, StockMovement]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["on_hand"] = sorted(StockLevel.objects.values_list("material_id", "warehouse_id", "on_hand"))
    counts["received"] = sorted(PurchaseOrderLine.objects.values_list("id", "received_quantity"))
    counts["statuses"] = sorted(PurchaseOrder.objects.values_list("id", "status"))
    return counts
