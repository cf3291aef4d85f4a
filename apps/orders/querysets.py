from django.apps import apps
from django.db import models

from apps.core.queries import count_related


class OrderQuerySet(models.QuerySet):
    def for_list(self):
        """Orders with their buyer and line count, in one query (the count is a subquery)."""
        return self.select_related("buyer").annotate(
            line_count=count_related(apps.get_model("orders.OrderLine"), "order")
        )

    def for_detail(self):
        """An order with its buyer and lines (each with its style): two queries."""
        lines = apps.get_model("orders.OrderLine").objects.select_related("style").order_by("id")
        return self.select_related("buyer").prefetch_related(models.Prefetch("lines", queryset=lines))


class OrderLineQuerySet(models.QuerySet):
    def for_list(self):
        """Lines with their order (and its buyer) and style in one query."""
        return self.select_related("order__buyer", "style")
