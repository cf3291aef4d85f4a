"""Pagination for API lists and admin changelists that stays cheap on tables of millions of rows."""

import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.utils.functional import cached_property
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Page numbers with count/next/previous; 20 a page by default, up to 100 with ?page_size=.
    For the lookup tables, whose exact count is cheap."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class CursorPagination(pagination.CursorPagination):
    """Keyset pages for the big tables: newest first by (created_at, id), so page 10,000 costs
    what page 1 costs; no count at all. Filters still apply; ?ordering= picks another order."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")


def planner_estimate(queryset) -> int:
    """The planner's row estimate for a queryset: EXPLAIN, not COUNT(*), so it costs the same at any size."""
    plan = json.loads(queryset.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """An admin paginator that counts exactly only while that is cheap.

    When the planner expects more than ESTIMATED_COUNT_THRESHOLD rows it reports the estimate
    instead, and `is_estimate` lets the template say "about".
    """

    is_estimate = False

    @cached_property
    def count(self):
        try:
            estimate = planner_estimate(self.object_list)
        except DatabaseError:
            return super().count
        if estimate > settings.ESTIMATED_COUNT_THRESHOLD:
            self.is_estimate = True
            return estimate
        return super().count
