"""Query helpers shared by the apps' querysets."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_related(model, field_name: str) -> Coalesce:
    """Count the rows of `model` whose `field_name` points at the outer row, as a subquery.

    Unlike annotate(Count(...)) it needs no GROUP BY over the outer query and never
    multiplies with other joins.
    """
    rows = (
        model.objects.filter(**{field_name: OuterRef("pk")})
        .order_by()
        .values(field_name)
        .annotate(count=Count("*"))
        .values("count")
    )
    return Coalesce(Subquery(rows), 0)
