from django.db import models

from .choices import OPEN_STATUSES


class StyleQuerySet(models.QuerySet):
    def for_list(self):
        """Styles with their buyer in the same query."""
        return self.select_related("buyer")

    def for_detail(self):
        """A style with its buyer and its bill of materials with each material: three queries."""
        return self.select_related("buyer").prefetch_related("materials__material")


class SampleQuerySet(models.QuerySet):
    def for_list(self):
        """Samples with their style and buyer in the same query."""
        return self.select_related("style", "buyer")

    def open(self):
        """Samples still being worked on or awaiting the buyer."""
        return self.filter(status__in=OPEN_STATUSES)  # an IN list, which the open-samples index matches
