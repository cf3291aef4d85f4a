from django.apps import apps
from django.db import models

from apps.core.queries import count_related


class SupplierQuerySet(models.QuerySet):
    def for_list(self):
        """Suppliers have no relations to join on lists."""
        return self.all()


class PurchaseOrderQuerySet(models.QuerySet):
    def for_list(self):
        """Purchase orders with supplier, warehouse and line count in one query."""
        line_model = apps.get_model("purchasing.PurchaseOrderLine")
        return self.select_related("supplier", "warehouse").annotate(
            line_count=count_related(line_model, "purchase_order")
        )

    def for_detail(self):
        """A purchase order with its supplier, warehouse and lines (with materials): two queries."""
        lines = apps.get_model("purchasing.PurchaseOrderLine").objects.select_related("material").order_by("id")
        return self.select_related("supplier", "warehouse").prefetch_related(models.Prefetch("lines", queryset=lines))


class PurchaseOrderLineQuerySet(models.QuerySet):
    def for_list(self):
        """Lines with their purchase order's supplier and their material."""
        return self.select_related("purchase_order__supplier", "material")
