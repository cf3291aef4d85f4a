"""Admin of tech packs (versioned measurement charts) and of the measurements of samples.

Writes go through apps.samples.techpacks: a version is created, changed and copied into the next
version by its services; only the newest version, before a sample is made to it, is editable here,
the others are shown read-only. Out-of-tolerance points are highlighted by a CSS class (no scripts).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from apps.core.adminkit import adopt_saved
from apps.core.audit_admin import AuditedAdmin, HistoryAdmin
from apps.core.pagination import EstimatedCountPaginator
from apps.core.search import Search, SearchAdminMixin

from . import techpacks
from .grading import graded_chart
from .models import STYLE_SEARCH, MeasurementPoint, Sample, SampleMeasurement, TechPack

# A tech pack by its style: code, name or buyer.
TECH_PACK_SEARCH = Search(related=(("style", STYLE_SEARCH),))
MEDIA_CSS = {"all": ["css/measurements.css"]}


def _editable(tech_pack) -> bool:
    """A version being added, or the newest before any sample is made to it (annotated by with_state()); a stored
    version from the audit trail, which has no annotations, is only looked at."""
    if tech_pack is None or tech_pack.pk is None:
        return True
    return getattr(tech_pack, "is_newest", False) and not tech_pack.sample_count


class RefusalAsMessageMixin:
    """A service refusing a save the page's checks let through (the row changed in between, e.g. a sample was
    just made to the tech pack) rolls the whole save back and shows the page again with the refusal: no 500."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:  # raised inside the admin's transaction: nothing was saved
            if request.method != "POST":
                raise
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(request.get_full_path())


class TechPackForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if self.instance._state.adding:
            if cleaned.get("style"):
                try:  # the sizes the chart is checked against, before the points are
                    self.instance.sizes = techpacks.range_sizes(cleaned["style"])
                except ValidationError as error:
                    self.add_error("style", error.message_dict["style"])
        else:
            try:
                techpacks.check_editable(self.instance)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class MeasurementPointFormSet(BaseInlineFormSet):
    """The chart as submitted, checked as a whole by tech_pack_update's rules (codes once, in any case)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        kept.sort(key=lambda form: form.cleaned_data["position"])
        try:
            techpacks.validate_points([form.instance for form in kept])
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class MeasurementPointInline(admin.TabularInline):
    model = MeasurementPoint
    formset = MeasurementPointFormSet
    fields = ["position", "code", "description", "base_value", "tolerance", "increments"]
    extra = 3
    verbose_name_plural = "measurement chart (the base size's values; increments per size)"

    def has_add_permission(self, request, obj=None):
        return _editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _editable(obj) and super().has_delete_permission(request, obj)


@admin.register(TechPack)
class TechPackAdmin(RefusalAsMessageMixin, SearchAdminMixin, AuditedAdmin):
    form = TechPackForm
    change_form_template = "admin/samples/techpack/change_form.html"
    paginator = EstimatedCountPaginator
    list_display = ["style", "version", "base_size", "is_newest", "sample_count", "created_by", "created_at"]
    list_select_related = ["style", "created_by"]
    list_filter = [("created_at", admin.DateFieldListFilter)]
    search = TECH_PACK_SEARCH
    autocomplete_fields = ["style"]
    readonly_fields = ["version", "sizes", "created_by", "created_at", "graded_table"]
    inlines = [MeasurementPointInline]
    history_lines = [(MeasurementPoint, "tech_pack")]
    show_full_result_count = False
    list_per_page = 50

    class Media:
        css = MEDIA_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).with_state()

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "style"] if obj else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # versions are the record of what the buyer asked for; samples point at them

    @admin.display(boolean=True, description="Newest")
    def is_newest(self, tech_pack):
        return tech_pack.is_newest

    @admin.display(description="Samples made to it")
    def sample_count(self, tech_pack):
        return tech_pack.sample_count

    @admin.display(description="Graded chart")
    def graded_table(self, tech_pack):
        return graded_table(tech_pack) if tech_pack.pk else "—"

    def save_model(self, request, obj, form, change):
        if not change:  # the chart comes in save_related, through the same service as a change
            created = techpacks.tech_pack_create(
                style=obj.style, base_size=obj.base_size, revision_note=obj.revision_note, created_by=request.user
            )
            adopt_saved(obj, TechPack.objects.with_state().get(pk=created.pk))  # the state the redirect checks

    def save_related(self, request, form, formsets, change):
        (points,) = [formset for formset in formsets if formset.model is MeasurementPoint]
        kept = [row for row in points.forms if row.cleaned_data and not points._should_delete_form(row)]
        kept.sort(key=lambda row: row.cleaned_data["position"])
        data = {name: form.cleaned_data[name] for name in form.changed_data} if change else {}
        techpacks.tech_pack_update(
            tech_pack=form.instance,
            data=data,
            points=[{name: row.cleaned_data[name] for name in techpacks.POINT_FIELDS} for row in kept],
        )
        _saved_by_service(points)

    def get_urls(self):
        new_version = self.admin_site.admin_view(self.new_version_view)
        return [
            path("<path:object_id>/new-version/", new_version, name="samples_techpack_new_version"),
            *super().get_urls(),
        ]

    def new_version_view(self, request, object_id):
        """Start the next version from this one (the newest) on a buyer's revision, then edit it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        tech_pack = self.get_object(request, unquote(object_id))
        if tech_pack is None:  # no such version, or not an id at all
            raise Http404(f"No tech pack with id {object_id!r}.")
        form = NewVersionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                created = techpacks.tech_pack_new_version(
                    tech_pack=tech_pack, revision_note=form.cleaned_data["revision_note"], created_by=request.user
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"Version {created.version} started from version {tech_pack.version}.")
                return redirect(reverse("admin:samples_techpack_change", args=[created.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": tech_pack,
            "form": form,
            "title": f"New version of {tech_pack.style.code} v{tech_pack.version}",
        }
        return TemplateResponse(request, "admin/samples/techpack/new_version.html", context)


def _saved_by_service(formset) -> None:
    # A service replaced the formset's rows; the admin's change message then names the page's own fields only.
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class NewVersionForm(forms.Form):
    revision_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="What the buyer changed.")


def graded_table(tech_pack) -> str:
    """The chart in every size: a row per point, a column per size, the base size marked."""
    points = list(tech_pack.points.all())
    chart = graded_chart(sizes=tech_pack.sizes, base_size=tech_pack.base_size, points=points)
    header = format_html_join(
        "",
        '<th class="{}">{}</th>',
        (("base-size" if size == tech_pack.base_size else "", size) for size in tech_pack.sizes),
    )
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>±{}</td>{}</tr>",
        (
            (
                point.code,
                point.description,
                point.tolerance,
                format_html_join("", "<td>{}</td>", ((chart[size][point.code],) for size in tech_pack.sizes)),
            )
            for point in points
        ),
    )
    return format_html(
        '<table class="graded-chart"><thead><tr><th>Point</th><th></th><th>Tolerance</th>{}</tr></thead>'
        "<tbody>{}</tbody></table>",
        header,
        rows,
    )


# --- Samples: the tech pack they were made to, and their measurements -----------------------------


class SampleMeasurementFormSet(BaseInlineFormSet):
    """Measurements as submitted, checked by sample_record_measurements' rules against the sample as submitted on
    this page (its tech pack and size chosen now): points of that tech pack, measured in one of its sizes."""

    def clean(self):
        super().clean()
        if any(self.errors) or not self.has_changed():
            return  # already refused, or nothing to record
        kept = [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        try:
            techpacks.measurable(
                tech_pack=self.instance.tech_pack,
                size=self.instance.size,
                codes=[form.cleaned_data["point"].code for form in kept],
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class SampleMeasurementInline(admin.TabularInline):
    """Points measured on the sample; saved through sample_record_measurements, which takes the spec
    and tolerance from the sample's tech pack in its size."""

    model = SampleMeasurement
    formset = SampleMeasurementFormSet
    fields = ["point", "measured", "spec", "tolerance", "out_of_tolerance"]
    readonly_fields = ["spec", "tolerance", "out_of_tolerance"]
    extra = 0
    verbose_name_plural = "measurements (checked against the tech pack when saved)"

    class Media:
        css = MEDIA_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("point")

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.tech_pack_id is not None and super().has_add_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:  # the points of the sample's own tech pack: a few dozen at most
            formset.form.base_fields["point"].queryset = MeasurementPoint.objects.filter(tech_pack_id=obj.tech_pack_id)
        return formset


class SampleSpecAdminMixin(RefusalAsMessageMixin):
    """For the sample admin, on the change page (once the style is known): the tech pack chosen among the style's
    versions, the measurements inline saved through the service, and the measurement table."""

    def get_exclude(self, request, obj=None):
        return ["tech_pack"] if obj is None else super().get_exclude(request, obj)

    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        return inlines if obj is None else [*inlines, SampleMeasurementInline]  # measured once made, not on request

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "tech_pack" in form.base_fields:
            field = form.base_fields["tech_pack"]
            field.queryset = TechPack.objects.filter(style_id=obj.style_id).order_by("-version")
            field.label_from_instance = lambda tech_pack: f"v{tech_pack.version} {tech_pack.revision_note[:60]}"
        return form

    def save_formset(self, request, form, formset, change):
        if formset.model is not SampleMeasurement:
            return super().save_formset(request, form, formset, change)
        if formset.has_changed():  # else nothing measured, changed or removed: the measurements stay as they are
            kept = [row for row in formset.forms if row.cleaned_data and not formset._should_delete_form(row)]
            techpacks.sample_record_measurements(
                sample=form.instance,
                measured={row.cleaned_data["point"].code: row.cleaned_data["measured"] for row in kept},
            )
        _saved_by_service(formset)
        return None

    @admin.display(description="Measurement table")
    def measurement_table(self, sample):
        measurements = Sample.objects.for_detail().get(pk=sample.pk).measurements.all() if sample.pk else []
        if not measurements:
            return "—"
        rows = format_html_join(
            "",
            '<tr class="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>±{}</td><td>{}</td></tr>',
            (
                (
                    "out-of-tolerance" if row.out_of_tolerance else "",
                    row.point.code,
                    row.point.description,
                    row.spec,
                    row.measured,
                    row.deviation,
                    row.tolerance,
                    "Out of tolerance" if row.out_of_tolerance else "OK",
                )
                for row in measurements
            ),
        )
        return format_html(
            '<table class="measurement-table"><thead><tr><th>Point</th><th></th><th>Spec</th><th>Measured</th>'
            "<th>Deviation</th><th>Tolerance</th><th></th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )


@admin.register(TechPack.history.model)
class TechPackHistoryAdmin(HistoryAdmin):
    """Audit trail: every tech-pack version created or changed, by user and date."""

    parent = "style"


@admin.register(MeasurementPoint.history.model)
class MeasurementPointHistoryAdmin(HistoryAdmin):
    """Audit trail: every point of measure added, changed or removed."""

    parent = "tech_pack"


@admin.register(SampleMeasurement.history.model)
class SampleMeasurementHistoryAdmin(HistoryAdmin):
    """Audit trail: every measurement recorded on a sample."""

    parent = "sample"
