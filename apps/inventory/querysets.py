from decimal import Decimal

from django.db import models
from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

# Totals over many warehouses can outgrow one level's numeric(14, 3).
TOTAL_QUANTITY = models.DecimalField(max_digits=20, decimal_places=3)


class MaterialQuerySet(models.QuerySet):
    def for_list(self):
        """Materials have no relations to join on lists."""
        return self.all()

    def with_on_hand(self):
        """Annotate `on_hand`: stock over all warehouses, summed in a subquery per row (no GROUP BY, no join)."""
        levels = self.model._meta.get_field("stock_levels").related_model.objects
        total = (
            levels.filter(material=OuterRef("pk")).order_by().values("material").annotate(total=Sum("on_hand"))
        ).values("total")
        return self.annotate(
            on_hand=Coalesce(
                Subquery(total, output_field=TOTAL_QUANTITY), Value(Decimal(0)), output_field=TOTAL_QUANTITY
            )
        )

    def below_reorder(self, below: bool = True):
        """Materials whose stock over all warehouses is under their reorder level (or, with below=False, is not)."""
        materials = self if "on_hand" in self.query.annotations else self.with_on_hand()
        condition = models.Q(on_hand__lt=F("reorder_level"))
        return materials.filter(condition) if below else materials.exclude(condition)


class StockLevelQuerySet(models.QuerySet):
    def for_list(self):
        """Levels with their material and warehouse, in one query."""
        return self.select_related("material", "warehouse")


class StockMovementQuerySet(models.QuerySet):
    def for_list(self):
        """Ledger lines with what lists show of their material, warehouse and author."""
        return self.select_related("material", "warehouse", "created_by")
