from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError

from apps.core.adminkit import ReadOnlyAdminMixin
from apps.core.audit_admin import AuditedAdmin, HistoryAdmin
from apps.core.imports.admin import ExportImportAdminMixin
from apps.core.pagination import EstimatedCountPaginator
from apps.core.search import SearchAdminMixin

from . import services
from .models import (
    BY_MATERIAL_SEARCH,
    MATERIAL_SEARCH,
    WAREHOUSE_SEARCH,
    LedgerEntry,
    Material,
    StockLevel,
    StockMovement,
    Warehouse,
)


@admin.register(Warehouse)
class WarehouseAdmin(SearchAdminMixin, AuditedAdmin):
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    search = WAREHOUSE_SEARCH
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # levels and the ledger point at warehouses; deactivate them instead


class BelowReorderFilter(admin.SimpleListFilter):
    title = "stock vs reorder level"
    parameter_name = "below_reorder"

    def lookups(self, request, model_admin):
        return [("yes", "Below reorder level"), ("no", "At or above reorder level")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.below_reorder(self.value() == "yes")
        return queryset


@admin.register(Material)
class MaterialAdmin(ExportImportAdminMixin, SearchAdminMixin, AuditedAdmin):
    import_resource = "materials"
    list_display = ["code", "name", "kind", "unit", "standard_cost", "reorder_level", "on_hand", "is_active"]
    list_filter = ["kind", "unit", "is_active", BelowReorderFilter]
    search = MATERIAL_SEARCH
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).with_on_hand()

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # bills of materials, orders and the ledger point at materials; deactivate them instead

    @admin.display(description="On hand (all warehouses)", ordering="on_hand")
    def on_hand(self, material):
        return material.on_hand


@admin.register(StockLevel)
class StockLevelAdmin(SearchAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: levels change only by posting movements."""

    paginator = EstimatedCountPaginator

    list_display = ["material", "warehouse", "on_hand", "updated_at"]
    list_select_related = ["material", "warehouse"]
    list_filter = ["warehouse", "material__kind"]
    search = BY_MATERIAL_SEARCH
    show_full_result_count = False
    list_per_page = 50


class StockMovementPostForm(forms.ModelForm):
    """Posts a receipt, issue, adjustment or transfer through stock_post().

    The services alone know whether there is stock, and only under their row lock, so the
    posting happens while the form is validated: a refusal comes back as form errors. The
    admin runs the whole POST in one transaction, so nothing stays posted if a later step fails.
    """

    to_warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.all(),
        required=False,
        widget=AutocompleteSelect(LedgerEntry._meta.get_field("warehouse"), admin.site),
        help_text="Transfers only: the warehouse the stock goes to.",
    )
    user = None  # set per request by StockMovementAdmin.get_form()

    class Meta:
        model = LedgerEntry
        fields = ["kind", "material", "warehouse", "to_warehouse", "quantity", "note"]
        help_texts = {
            "warehouse": "Where stock comes in or goes out; for a transfer, where it leaves.",
            "quantity": "Greater than zero; for an adjustment, signed (+ found, - lost).",
            "note": "Required for an adjustment.",
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.movements = services.stock_post(
                kind=cleaned["kind"],
                material=cleaned["material"],
                warehouse=cleaned["warehouse"],
                to_warehouse=cleaned.get("to_warehouse"),
                quantity=cleaned["quantity"],
                note=cleaned.get("note", ""),
                user=self.user,
            )
        except ValidationError as error:
            for field, errors in error.update_error_dict({}).items():
                self.add_error(field if field in self.fields else None, errors)
        return cleaned


@admin.register(LedgerEntry)
class StockMovementAdmin(SearchAdminMixin, admin.ModelAdmin):
    """The ledger, read-only; "Add" posts a movement through the stock services (warehouse role).

    Registered on LedgerEntry, the ledger keyed by id alone: the admin takes no composite primary key.
    """

    paginator = EstimatedCountPaginator

    list_display = [
        "created_at",
        "kind",
        "material",
        "warehouse",
        "quantity",
        "balance_after",
        "reference",
        "created_by",
    ]
    list_select_related = ["material", "warehouse", "created_by"]
    # A date filter, not date_hierarchy: that reads the distinct years of the whole ledger on every page.
    list_filter = ["kind", "warehouse", ("created_at", admin.DateFieldListFilter)]
    search = BY_MATERIAL_SEARCH
    autocomplete_fields = ["material", "warehouse"]
    show_full_result_count = False
    list_per_page = 50
    view_fields = [
        "created_at", "kind", "material", "warehouse", "quantity", "balance_after",
        "reference_type", "reference_id", "note", "created_by",
    ]  # fmt: skip

    @admin.display(description="Reference")
    def reference(self, movement):
        return f"{movement.reference_type} {movement.reference_id}" if movement.reference_type else ""

    def get_fields(self, request, obj=None):
        return self.view_fields if obj else StockMovementPostForm.Meta.fields

    def get_readonly_fields(self, request, obj=None):
        return self.view_fields if obj else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        form = super().get_form(request, obj, change=change, form=StockMovementPostForm, **kwargs)
        form.user = request.user  # a fresh class per call, so this is this request's user only
        return form

    def save_form(self, request, form, change):
        # Already posted; a transfer's incoming line links to the outgoing one, shown after the save.
        return LedgerEntry.objects.get(id=form.movements[0].id)

    def save_model(self, request, obj, form, change):
        pass  # posted by the form's services call; ledger rows are never saved twice

    def save_related(self, request, form, formsets, change):
        pass

    def has_view_permission(self, request, obj=None):
        return _may(request, "view")

    def has_add_permission(self, request):
        return _may(request, "add")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _may(request, action: str) -> bool:
    """Whether the user holds StockMovement's permission for this action (the roles grant those)."""
    return request.user.has_perm(f"inventory.{get_permission_codename(action, StockMovement._meta)}")


# Stock levels and movements have no history of their own: the ledger is append-only and names
# who posted each line and when (created_by, created_at), and levels are sums of it.


@admin.register(Warehouse.history.model)
class WarehouseHistoryAdmin(HistoryAdmin):
    """Audit trail: every change to warehouses, by user and date."""


@admin.register(Material.history.model)
class MaterialHistoryAdmin(HistoryAdmin):
    """Audit trail: every change to materials (costs, reorder levels...), by user and date."""
