from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from apps.core.adminkit import adopt_saved, workflow_action
from apps.core.audit_admin import AuditedAdmin, HistoryAdmin
from apps.core.imports.admin import ExportImportAdminMixin
from apps.core.pagination import EstimatedCountPaginator
from apps.core.search import SearchAdminMixin

from . import services, techpacks
from .choices import SampleStatus
from .models import SAMPLE_SEARCH, STYLE_SEARCH, Colourway, Sample, SizeRange, Style, StyleMaterial
from .techpack_admin import SampleSpecAdminMixin  # also registers the tech-pack screens


class SizeRangeForm(forms.ModelForm):
    def clean_sizes(self):
        sizes = [size.strip() for size in self.cleaned_data["sizes"]]
        problems = services.size_range_problems(size_range=self.instance if self.instance.pk else None, sizes=sizes)
        if problems:
            raise ValidationError(problems)
        return sizes


@admin.register(SizeRange)
class SizeRangeAdmin(AuditedAdmin):
    """Size ranges; a style's form picks one (autocomplete). Sizes in use by order lines stay."""

    form = SizeRangeForm
    list_display = ["code", "name", "sizes", "updated_at"]
    search_fields = ["code", "name"]  # a few dozen rows: no search index needed
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            data = {field: form.cleaned_data[field] for field in form.changed_data}
            services.size_range_update(size_range=obj, data=data)
        else:
            fields = {field: form.cleaned_data[field] for field in ("code", "name", "sizes")}
            adopt_saved(obj, services.size_range_create(**fields))


class StyleForm(forms.ModelForm):
    def clean_size_range(self):
        size_range = self.cleaned_data["size_range"]
        problem = services.style_size_range_problem(style=self.instance, size_range=size_range)
        if problem:
            raise ValidationError(problem)
        return size_range


class ColourwayFormSet(BaseInlineFormSet):
    """The colourways as submitted: each name once (in any case), none dropped that order lines use."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        problems = services.colourway_problems(style=self.instance, names=[form.cleaned_data["name"] for form in kept])
        if problems:
            raise ValidationError(problems)


class ColourwayInline(admin.TabularInline):
    model = Colourway
    formset = ColourwayFormSet
    fields = ["name", "code"]
    extra = 1


class StyleMaterialForm(forms.ModelForm):
    class Meta:
        widgets = {"size_consumption": forms.Textarea(attrs={"rows": 2, "cols": 28})}

    def clean_size_consumption(self):
        return self.cleaned_data["size_consumption"] or {}  # an empty box: the same consumption in every size


class StyleMaterialFormSet(BaseInlineFormSet):
    """Checks each line's colour and graded sizes by style_set_materials' rules, against the style as
    submitted on this page (the size range chosen now, the colourways saved), and stores them as the
    style spells them, so that "navy" and "Navy" count as the same line."""

    def clean(self):
        choices = services.BomChoices.of(self.instance)
        for form in self.forms:
            if form.errors or not form.cleaned_data or self._should_delete_form(form):
                continue  # already refused, an empty extra row, or going away
            try:
                colour, graded = choices.clean_line(
                    colour=form.cleaned_data["colour"], size_consumption=form.cleaned_data["size_consumption"]
                )
            except ValidationError as error:
                form.add_error(None, error)
                continue
            form.cleaned_data.update(colour=colour, size_consumption=graded)
            form.instance.colour, form.instance.size_consumption = colour, graded
        super().clean()  # one line per material and colour, compared in the stored spelling


class StyleMaterialInline(admin.TabularInline):
    model = StyleMaterial
    form = StyleMaterialForm
    formset = StyleMaterialFormSet
    fields = ["material", "colour", "consumption_per_piece", "size_consumption", "wastage_percent"]
    autocomplete_fields = ["material"]
    extra = 1
    verbose_name = "bill of materials line"
    verbose_name_plural = "bill of materials"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and obj.sizes:  # name the sizes a line may be graded in
            sizes = ", ".join(obj.sizes)
            help_text = f'Where it differs from the base, per size of {sizes}: {{"XL": "1.4500"}}.'
            formset.form.base_fields["size_consumption"].help_text = help_text
        return formset


@admin.register(Style)
class StyleAdmin(ExportImportAdminMixin, SearchAdminMixin, AuditedAdmin):
    import_resource = "styles"
    form = StyleForm
    paginator = EstimatedCountPaginator
    list_display = ["code", "name", "buyer", "season", "category", "size_range", "target_price", "is_active"]
    list_select_related = ["buyer", "size_range"]
    list_filter = ["season", "category", "is_active"]
    search = STYLE_SEARCH
    autocomplete_fields = ["buyer", "size_range"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ColourwayInline, StyleMaterialInline]  # colourways first: bill lines may name them
    history_lines = [(Colourway, "style"), (StyleMaterial, "style")]
    show_full_result_count = False
    list_per_page = 50

    def has_delete_permission(self, request, obj=None):
        return False  # styles are deactivated, never deleted: samples and orders point at them

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields


def _transition(sample, status):
    services.sample_transition(sample=sample, status=status)


class SampleForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:  # a measured sample keeps its tech pack and size
            data = {name: cleaned[name] for name in ("tech_pack", "size") if name in cleaned}
            try:
                techpacks.check_measured_spec_kept(sample=self.instance, data=data)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Sample)
class SampleAdmin(SampleSpecAdminMixin, SearchAdminMixin, AuditedAdmin):
    form = SampleForm
    paginator = EstimatedCountPaginator
    list_display = [
        "number",
        "style",
        "buyer",
        "type",
        "status",
        "due_date",
        "submitted_at",
        "approved_at",
        "created_at",
    ]
    list_select_related = ["style", "buyer"]
    # Date filters, not date_hierarchy: that reads the distinct dates of the whole table on every page.
    list_filter = ["status", "type", ("created_at", admin.DateFieldListFilter), ("due_date", admin.DateFieldListFilter)]
    search = SAMPLE_SEARCH
    autocomplete_fields = ["style"]
    readonly_fields = [
        "number", "buyer", "status", "submitted_at", "approved_at", "rejected_at", "created_at", "measurement_table",
    ]  # fmt: skip
    show_full_result_count = False
    list_per_page = 50
    actions = [
        workflow_action(
            status=SampleStatus.IN_PROGRESS, description="Start work on selected samples", perform=_transition
        ),
        workflow_action(
            status=SampleStatus.SUBMITTED, description="Submit selected samples to the buyer", perform=_transition
        ),
        workflow_action(
            status=SampleStatus.APPROVED, description="Mark selected samples approved", perform=_transition
        ),
        workflow_action(
            status=SampleStatus.REJECTED, description="Mark selected samples rejected", perform=_transition
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # samples are rejected, never deleted: their history is the approval record

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "style"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            services.sample_update(sample=obj, data={field: getattr(obj, field) for field in form.changed_data})
        else:
            created = services.sample_request(
                style=obj.style, type=obj.type, due_date=obj.due_date, comments=obj.comments, size=obj.size
            )
            adopt_saved(obj, created)


@admin.register(Style.history.model)
class StyleHistoryAdmin(HistoryAdmin):
    """Audit trail: every change to styles, by user and date."""


@admin.register(SizeRange.history.model)
class SizeRangeHistoryAdmin(HistoryAdmin):
    """Audit trail: every change to size ranges, by user and date."""


@admin.register(Colourway.history.model)
class ColourwayHistoryAdmin(HistoryAdmin):
    """Audit trail: every colourway added, renamed or removed."""

    parent = "style"


@admin.register(StyleMaterial.history.model)
class StyleMaterialHistoryAdmin(HistoryAdmin):
    """Audit trail: every bill-of-materials line added, changed or removed."""

    parent = "style"


@admin.register(Sample.history.model)
class SampleHistoryAdmin(HistoryAdmin):
    """Audit trail: every change to samples, workflow steps included, by user and date."""
