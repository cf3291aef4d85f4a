from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from apps.core.admin_actions import workflow_action

from . import services
from .choices import PurchaseOrderStatus
from .models import GoodsReceipt, GoodsReceiptLine, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierMaterial


class SupplierMaterialInline(admin.TabularInline):
    model = SupplierMaterial
    autocomplete_fields = ["material"]
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country", "currency", "lead_time_days", "is_active"]
    list_filter = ["is_active", "country", "currency"]
    search_fields = ["code", "name", "email"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [SupplierMaterialInline]
    show_full_result_count = False
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    autocomplete_fields = ["material"]
    fields = ["material", "quantity", "unit_price", "received_quantity"]
    readonly_fields = ["received_quantity"]
    min_num = 1
    validate_min = True
    extra = 0

    def _editable(self, obj):
        return obj is None or obj.status == PurchaseOrderStatus.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


def _transition(purchase_order, status):
    services.purchase_order_transition(purchase_order=purchase_order, status=status)


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "supplier", "warehouse", "status", "order_date", "expected_date", "currency", "total"]
    list_select_related = ["supplier", "warehouse"]
    list_filter = ["status", "warehouse"]
    search_fields = ["number", "supplier__code", "supplier__name"]
    autocomplete_fields = ["supplier", "warehouse"]
    date_hierarchy = "order_date"
    readonly_fields = ["number", "status", "total", "created_at", "updated_at"]
    inlines = [PurchaseOrderLineInline]
    show_full_result_count = False
    list_per_page = 50
    actions = [
        workflow_action(status=PurchaseOrderStatus.SENT, description="Send selected to suppliers", perform=_transition),
        workflow_action(status=PurchaseOrderStatus.CANCELLED, description="Cancel selected", perform=_transition),
        "receive_outstanding",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None or obj.status == PurchaseOrderStatus.DRAFT:
            return [*self.readonly_fields, "supplier"] if obj else self.readonly_fields
        return [*self.readonly_fields, "supplier", "warehouse", "order_date", "expected_date", "currency"]

    def save_model(self, request, obj, form, change):
        if change:
            data = {field: form.cleaned_data[field] for field in form.changed_data}
            services.purchase_order_update(purchase_order=obj, data=data)
        else:
            created = services.purchase_order_create(
                supplier=obj.supplier,
                warehouse=obj.warehouse,
                order_date=obj.order_date,
                expected_date=obj.expected_date,
                currency=obj.currency,
                notes=obj.notes,
                lines=None,  # the inline saves them next, in this same transaction
            )
            obj.pk, obj.number, obj.currency = created.pk, created.number, created.currency
            obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.purchase_order_recalculate_total(purchase_order=form.instance)

    @admin.action(description="Receive everything outstanding on selected orders", permissions=["receive"])
    def receive_outstanding(self, request, queryset):
        received, refused = 0, []
        for purchase_order in queryset.prefetch_related("lines"):
            lines = [
                {"line": line, "quantity": line.outstanding} for line in purchase_order.lines.all() if line.outstanding
            ]
            try:
                services.purchase_order_receive(purchase_order=purchase_order, lines=lines, user=request.user)
                received += 1
            except ValidationError as error:
                refused.append(f"{purchase_order}: {' '.join(error.messages)}")
        if received:
            self.message_user(request, f"{received} purchase order(s) received.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Refused: " + "; ".join(refused), messages.ERROR)

    def has_receive_permission(self, request):
        return request.user.has_perm("purchasing.receive_purchaseorder")


class GoodsReceiptLineInline(admin.TabularInline):
    model = GoodsReceiptLine
    fields = ["purchase_order_line", "quantity"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GoodsReceipt)
class GoodsReceiptAdmin(admin.ModelAdmin):
    """Read-only history of deliveries; receive goods from the purchase order."""

    list_display = ["id", "purchase_order", "delivery_note", "received_by", "received_at"]
    list_select_related = ["purchase_order", "received_by"]
    search_fields = ["purchase_order__number", "delivery_note"]
    date_hierarchy = "received_at"
    inlines = [GoodsReceiptLineInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
