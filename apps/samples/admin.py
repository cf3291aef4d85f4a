from django.contrib import admin

from apps.core.adminkit import adopt_saved, workflow_action
from apps.core.audit_admin import AuditedAdmin, HistoryAdmin
from apps.core.imports.admin import ExportImportAdminMixin
from apps.core.pagination import EstimatedCountPaginator
from apps.core.search import SearchAdminMixin

from . import services
from .choices import SampleStatus
from .models import SAMPLE_SEARCH, STYLE_SEARCH, Sample, Style, StyleMaterial


class StyleMaterialInline(admin.TabularInline):
    model = StyleMaterial
    autocomplete_fields = ["material"]
    extra = 1
    verbose_name = "bill of materials line"
    verbose_name_plural = "bill of materials"


@admin.register(Style)
class StyleAdmin(ExportImportAdminMixin, SearchAdminMixin, AuditedAdmin):
    import_resource = "styles"
    paginator = EstimatedCountPaginator
    list_display = ["code", "name", "buyer", "season", "category", "target_price", "is_active"]
    list_select_related = ["buyer"]
    list_filter = ["season", "category", "is_active"]
    search = STYLE_SEARCH
    autocomplete_fields = ["buyer"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [StyleMaterialInline]
    history_lines = [(StyleMaterial, "style")]
    show_full_result_count = False
    list_per_page = 50

    def has_delete_permission(self, request, obj=None):
        return False  # styles are deactivated, never deleted: samples and orders point at them

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields


def _transition(sample, status):
    services.sample_transition(sample=sample, status=status)


@admin.register(Sample)
class SampleAdmin(SearchAdminMixin, AuditedAdmin):
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
    readonly_fields = ["number", "buyer", "status", "submitted_at", "approved_at", "rejected_at", "created_at"]
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
                style=obj.style, type=obj.type, due_date=obj.due_date, comments=obj.comments
            )
            adopt_saved(obj, created)


@admin.register(Style.history.model)
class StyleHistoryAdmin(HistoryAdmin):
    """Audit trail: every change to styles, by user and date."""


@admin.register(StyleMaterial.history.model)
class StyleMaterialHistoryAdmin(HistoryAdmin):
    """Audit trail: every bill-of-materials line added, changed or removed."""

    parent = "style"


@admin.register(Sample.history.model)
class SampleHistoryAdmin(HistoryAdmin):
    """Audit trail: every change to samples, workflow steps included, by user and date."""
