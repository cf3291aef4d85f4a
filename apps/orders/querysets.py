import datetime

from django.apps import apps
from django.db import models
from django.utils import timezone

from apps.core.queries import count_related

from .choices import TRACKED_STATUSES, MilestoneState


class OrderQuerySet(models.QuerySet):
    def for_list(self):
        """Orders with their buyer and line count, in one query (the count is a subquery)."""
        return self.select_related("buyer").annotate(
            line_count=count_related(apps.get_model("orders.OrderLine"), "order")
        )

    def for_detail(self):
        """An order with its buyer and lines, each with its style, size range and colourways (for the
        colour x size grid): three queries."""
        lines = (
            apps.get_model("orders.OrderLine")
            .objects.select_related("style__size_range")
            .prefetch_related("style__colourways")
            .order_by("id")
        )
        return self.select_related("buyer").prefetch_related(models.Prefetch("lines", queryset=lines))


class OrderLineQuerySet(models.QuerySet):
    def for_list(self):
        """Lines with their order (and its buyer) and style in one query."""
        return self.select_related("order__buyer", "style")


class _DaysBetween(models.Func):
    """later - earlier in whole days: in PostgreSQL, date - date is an integer (Django would make it an interval)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = models.IntegerField()


def _late(today: datetime.date) -> models.Q:
    return models.Q(actual_date__isnull=True, planned_date__lt=today, order__status__in=TRACKED_STATUSES)


_DONE_LATE = models.Q(actual_date__gt=models.F("planned_date"))


class OrderMilestoneQuerySet(models.QuerySet):
    def late(self, today: datetime.date | None = None):
        """Open milestones past their planned date, of orders still in hand (not shipped, closed or cancelled)."""
        return self.filter(_late(today or timezone.localdate()))

    def done_late(self):
        """Milestones done after their planned date."""
        return self.filter(_DONE_LATE)

    def with_state(self, today: datetime.date | None = None):
        """Annotate `state` (a MilestoneState) and `days_late` (None unless late or done late)."""
        today = today or timezone.localdate()
        late = _late(today)
        return self.annotate(
            state=models.Case(
                models.When(late, then=models.Value(MilestoneState.LATE)),
                models.When(_DONE_LATE, then=models.Value(MilestoneState.DONE_LATE)),
                models.When(actual_date__isnull=False, then=models.Value(MilestoneState.DONE)),
                default=models.Value(MilestoneState.PENDING),
                output_field=models.CharField(),
            ),
            days_late=models.Case(
                models.When(
                    late, then=_DaysBetween(models.Value(today, output_field=models.DateField()), "planned_date")
                ),
                models.When(_DONE_LATE, then=_DaysBetween("actual_date", "planned_date")),
                output_field=models.IntegerField(),
            ),
        )

    def for_list(self):
        """Milestones with their order (and its buyer) and template, and their state: one query."""
        return self.select_related("order__buyer", "template").with_state()
