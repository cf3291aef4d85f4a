from django.contrib import admin, messages

from apps.core.audit_admin import AuditedAdmin, HistoryAdmin
from apps.core.imports.admin import ExportImportAdminMixin
from apps.core.search import SearchAdminMixin

from . import services
from .models import BUYER_SEARCH, Buyer


@admin.register(Buyer)
class BuyerAdmin(ExportImportAdminMixin, SearchAdminMixin, AuditedAdmin):
    import_resource = "buyers"
    list_display = ["code", "name", "company", "country", "currency", "payment_terms", "is_active", "updated_at"]
    list_display_links = ["code", "name"]
    list_filter = ["is_active", "payment_terms", "currency"]
    search = BUYER_SEARCH
    ordering = ["name", "id"]
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False
    list_per_page = 50
    actions = ["activate", "deactivate"]
    fieldsets = [
        (None, {"fields": ["code", "name", "company", "is_active"]}),
        ("Trading", {"fields": ["country", "currency", "payment_terms", "email"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # buyers are deactivated, never deleted: orders and samples point at them

    @admin.action(description="Activate selected buyers", permissions=["change"])
    def activate(self, request, queryset):
        changed = services.buyer_set_active(buyer_ids=list(queryset.values_list("pk", flat=True)), active=True)
        self.message_user(request, f"{changed} buyer(s) activated.", messages.SUCCESS)

    @admin.action(description="Deactivate selected buyers", permissions=["change"])
    def deactivate(self, request, queryset):
        changed = services.buyer_set_active(buyer_ids=list(queryset.values_list("pk", flat=True)), active=False)
        self.message_user(request, f"{changed} buyer(s) deactivated.", messages.SUCCESS)


@admin.register(Buyer.history.model)
class BuyerHistoryAdmin(HistoryAdmin):
    """Audit trail: every change to buyers, by user and date."""
