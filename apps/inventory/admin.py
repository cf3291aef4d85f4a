from django.contrib import admin

from .models import Material, StockLevel, StockMovement, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    show_full_result_count = False


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit", "standard_cost", "reorder_level", "is_active"]
    list_filter = ["kind", "unit", "is_active"]
    search_fields = ["code", "name"]
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    """Read-only: levels change only by posting movements."""

    list_display = ["material", "warehouse", "on_hand", "updated_at"]
    list_select_related = ["material", "warehouse"]
    list_filter = ["warehouse", "material__kind"]
    search_fields = ["material__code", "material__name"]
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    """The ledger, read-only: post movements through the API or the documents behind them."""

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
    list_filter = ["kind", "warehouse"]
    search_fields = ["material__code", "note", "reference_type"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description="Reference")
    def reference(self, movement):
        return f"{movement.reference_type} {movement.reference_id}" if movement.reference_type else ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
