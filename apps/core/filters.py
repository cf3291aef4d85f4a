from rest_framework import filters


class OrderingFilter(filters.OrderingFilter):
    """DRF's ordering, always ending on the primary key so pages never repeat or skip rows."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering.append("pk")
        return ordering
