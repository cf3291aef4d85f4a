from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch

from apps.core.queries import count_related

from .choices import OPEN_STATUSES


class StyleQuerySet(models.QuerySet):
    def for_list(self):
        """Styles with their buyer and size range, and their colourways: two queries."""
        return self.select_related("buyer").with_specs()

    def for_detail(self):
        """A style with its buyer, size range, colourways and bill of materials with each material: four queries."""
        return self.select_related("buyer").with_specs().prefetch_related("materials__material")

    def with_specs(self):
        """Styles with what orders are taken in: their size range (same query) and colourways (one more)."""
        return self.select_related("size_range").prefetch_related("colourways")


class SampleQuerySet(models.QuerySet):
    def for_list(self):
        """Samples with their style and buyer in the same query."""
        return self.select_related("style", "buyer")

    def open(self):
        """Samples still being worked on or awaiting the buyer."""
        return self.filter(status__in=OPEN_STATUSES)  # an IN list, which the open-samples index matches

    def for_detail(self):
        """A sample as for_list, with its tech pack and its measurements (point, and `deviation` from the spec)
        in chart order: two queries."""
        measurements = (
            _related_model(self.model, "measurements")
            .objects.select_related("point")
            .annotate(deviation=F("measured") - F("spec"))
            .order_by("point__position", "point_id")
        )
        return self.for_list().select_related("tech_pack").prefetch_related(Prefetch("measurements", measurements))

    def with_out_of_tolerance(self, flagged: bool = True):
        """Samples with (or, flagged=False, without) a point measured out of tolerance."""
        out = _related_model(self.model, "measurements").objects.filter(sample=OuterRef("pk"), out_of_tolerance=True)
        return self.filter(Exists(out) if flagged else ~Exists(out))


class TechPackQuerySet(models.QuerySet):
    def with_state(self):
        """Each version with `is_newest` and `sample_count` (samples made to it): it may change only while it is
        the newest and no sample was made to it."""
        newer = self.model.objects.filter(style=OuterRef("style"), version__gt=OuterRef("version"))
        sample = _related_model(self.model, "samples")
        return self.annotate(is_newest=~Exists(newer), sample_count=count_related(sample, "tech_pack"))

    def for_list(self):
        """Versions with their state and style in one query."""
        return self.with_state().select_related("style")

    def for_detail(self):
        """A version as for_list, with its chart's points: two queries."""
        return self.for_list().prefetch_related("points")


def _related_model(model, name: str):
    # The model at the other end of a reverse relation: querysets.py is imported by models.py, not the other way.
    return model._meta.get_field(name).related_model
