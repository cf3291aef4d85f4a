from django.db import models


class MaterialQuerySet(models.QuerySet):
    def for_list(self):
        """Materials have no relations to join on lists."""
        return self.all()


class StockLevelQuerySet(models.QuerySet):
    def for_list(self):
        """Levels with their material and warehouse, in one query."""
        return self.select_related("material", "warehouse")


class StockMovementQuerySet(models.QuerySet):
    def for_list(self):
        """Ledger lines with what lists show of their material, warehouse and author."""
        return self.select_related("material", "warehouse", "created_by")
