from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path

from apps.core.adminkit import DocumentAdminMixin, LinesInlineMixin, ReadOnlyAdminMixin, service_action, workflow_action
from apps.core.audit_admin import AuditedAdmin, HistoryAdmin
from apps.core.imports.admin import ExportImportAdminMixin
from apps.core.pagination import EstimatedCountPaginator
from apps.core.search import SearchAdminMixin
from apps.inventory.models import Warehouse

from . import services
from .choices import OPEN_STATUSES, PurchaseOrderStatus
from .models import (
    GOODS_RECEIPT_SEARCH,
    PURCHASE_ORDER_LINE_SEARCH,
    PURCHASE_ORDER_SEARCH,
    SUPPLIER_MATERIAL_SEARCH,
    SUPPLIER_SEARCH,
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierMaterial,
)
from .selectors import material_requirements, order_quantity


class SupplierMaterialForm(forms.ModelForm):
    """Applies services.supplier_material_check, so a second preferred supplier is a clear form error."""

    class Meta:
        model = SupplierMaterial
        fields = ["supplier", "material", "unit_price", "is_preferred"]

    def clean(self):
        cleaned_data = super().clean()
        # On a change page supplier and material are read-only, so they come from the instance.
        supplier_id = cleaned_data["supplier"].pk if cleaned_data.get("supplier") else self.instance.supplier_id
        material_id = cleaned_data["material"].pk if cleaned_data.get("material") else self.instance.material_id
        if material_id is not None:
            candidate = SupplierMaterial(
                pk=self.instance.pk,
                supplier_id=supplier_id,
                material_id=material_id,
                is_preferred=cleaned_data.get("is_preferred", False),
            )
            try:
                services.supplier_material_check(candidate)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned_data


class SupplierMaterialInline(admin.TabularInline):
    model = SupplierMaterial
    form = SupplierMaterialForm
    autocomplete_fields = ["material"]
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(ExportImportAdminMixin, SearchAdminMixin, AuditedAdmin):
    import_resource = "suppliers"
    list_display = ["code", "name", "country", "currency", "lead_time_days", "is_active"]
    list_filter = ["is_active", "country", "currency"]
    search = SUPPLIER_SEARCH
    readonly_fields = ["created_at", "updated_at"]
    inlines = [SupplierMaterialInline]
    history_lines = [(SupplierMaterial, "supplier")]
    show_full_result_count = False
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields


class PurchaseOrderLineInline(LinesInlineMixin, admin.TabularInline):
    editable_statuses = frozenset({PurchaseOrderStatus.DRAFT})

    model = PurchaseOrderLine
    autocomplete_fields = ["material"]
    fields = ["material", "quantity", "unit_price", "received_quantity"]
    readonly_fields = ["received_quantity"]
    min_num = 1
    validate_min = True
    extra = 0


@admin.register(SupplierMaterial)
class SupplierMaterialAdmin(SearchAdminMixin, AuditedAdmin):
    """Price list: which supplier sells which material, and which supplier is preferred."""

    form = SupplierMaterialForm
    list_display = ["supplier", "material", "unit_price", "is_preferred"]
    list_select_related = ["supplier", "material"]
    list_filter = ["is_preferred"]
    search = SUPPLIER_MATERIAL_SEARCH
    autocomplete_fields = ["supplier", "material"]
    show_full_result_count = False
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        return ["supplier", "material"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            data = {field: form.cleaned_data[field] for field in form.changed_data}
            saved = services.supplier_material_update(supplier_material=obj, data=data)
        else:
            saved = services.supplier_material_create(
                supplier=obj.supplier, material=obj.material, unit_price=obj.unit_price, is_preferred=obj.is_preferred
            )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.supplier_material_delete(supplier_material=obj)


def _transition(purchase_order, status):
    services.purchase_order_transition(purchase_order=purchase_order, status=status)


def _receive_outstanding(request, purchase_order):
    lines = [{"line": line, "quantity": line.outstanding} for line in purchase_order.lines.all() if line.outstanding]
    services.purchase_order_receive(purchase_order=purchase_order, lines=lines, user=request.user)


class PurchaseOrderForm(forms.ModelForm):
    def clean_supplier(self):
        # purchase_order_create refuses inactive suppliers; say so on the form rather than fail on save.
        supplier = self.cleaned_data["supplier"]
        if supplier is not None and not supplier.is_active:
            raise ValidationError(f"Supplier {supplier.code} is inactive.")
        return supplier


class DraftPurchaseOrdersForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.filter(is_active=True), help_text="Where the drafted orders are delivered."
    )


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(DocumentAdminMixin, SearchAdminMixin, AuditedAdmin):
    paginator = EstimatedCountPaginator
    list_display = ["number", "supplier", "warehouse", "status", "order_date", "expected_date", "currency", "total"]
    list_select_related = ["supplier", "warehouse"]
    # A date filter, not date_hierarchy: that reads the distinct dates of the whole table on every page.
    list_filter = ["status", "warehouse", ("order_date", admin.DateFieldListFilter)]
    search = PURCHASE_ORDER_SEARCH
    autocomplete_fields = ["supplier", "warehouse"]
    readonly_fields = ["number", "status", "total", "created_at", "updated_at"]
    form = PurchaseOrderForm
    inlines = [PurchaseOrderLineInline]
    history_lines = [(PurchaseOrderLine, "purchase_order")]
    show_full_result_count = False
    list_per_page = 50
    actions = [
        workflow_action(status=PurchaseOrderStatus.SENT, description="Send selected to suppliers", perform=_transition),
        workflow_action(status=PurchaseOrderStatus.CANCELLED, description="Cancel selected", perform=_transition),
        service_action(
            name="receive_outstanding",
            description="Receive everything outstanding on selected orders",
            done="purchase order(s) received",
            perform=_receive_outstanding,
            permission="receive",
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "supplier"] if obj else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # Only drafts change (services.purchase_order_update); later orders are shown read-only.
        if obj is not None and obj.status != PurchaseOrderStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # purchase orders are cancelled, never deleted: receipts and stock refer to them

    def get_urls(self):
        requirements = path(
            "requirements/",
            self.admin_site.admin_view(self.requirements_view),
            name="purchasing_purchaseorder_requirements",
        )
        return [requirements, *super().get_urls()]

    def requirements_view(self, request):
        """Material requirements: the shortage table, and drafting purchase orders for them."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        can_draft = self.has_add_permission(request)
        form = DraftPurchaseOrdersForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if not can_draft:
                raise PermissionDenied
            if form.is_valid():
                self._draft_for_shortages(request, form.cleaned_data["warehouse"])
                return HttpResponseRedirect(request.get_full_path())

        show_all = request.GET.get("all") == "1"
        page = Paginator(material_requirements(shortages_only=not show_all), 100).get_page(request.GET.get("p"))
        for row in page:  # shown rounded up to 3 decimals, like the API and the quantities drafted
            row.required, row.shortage = order_quantity(row.required), order_quantity(row.shortage)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Material requirements",
            "page_obj": page,
            "show_all": show_all,
            "form": form,
            "can_draft": can_draft,
        }
        return TemplateResponse(request, "admin/purchasing/purchaseorder/requirements.html", context)

    def _draft_for_shortages(self, request, warehouse):
        try:
            drafts, skipped = services.purchase_orders_draft_for_shortages(warehouse=warehouse)
        except ValidationError as error:
            self.message_user(request, "Nothing drafted: " + " ".join(error.messages), messages.ERROR)
            return
        if drafts:
            numbers = ", ".join(f"{draft.number} ({draft.supplier.code})" for draft in drafts)
            self.message_user(request, f"Drafted {len(drafts)} purchase order(s): {numbers}.", messages.SUCCESS)
        else:
            self.message_user(request, "No shortages to draft purchase orders for.", messages.INFO)
        if skipped:
            codes = ", ".join(material.code for material in skipped)
            self.message_user(
                request, f"Skipped {len(skipped)} material(s) without a preferred supplier: {codes}.", messages.WARNING
            )

    def create_document(self, fields):
        return services.purchase_order_create(**fields, lines=None)  # the inline saves them next

    def update_document(self, purchase_order, data):
        services.purchase_order_update(purchase_order=purchase_order, data=data)

    def recalculate_total(self, purchase_order):
        services.purchase_order_recalculate_total(purchase_order=purchase_order)

    def has_receive_permission(self, request):
        return request.user.has_perm("purchasing.receive_purchaseorder")


class OutstandingFilter(admin.SimpleListFilter):
    title = "outstanding"
    parameter_name = "outstanding"

    def lookups(self, request, model_admin):
        return [("yes", "Still to arrive"), ("no", "Arrived or closed")]

    def queryset(self, request, queryset):
        # The same lines material requirements count as on order.
        still_to_come = Q(purchase_order__status__in=OPEN_STATUSES, received_quantity__lt=F("quantity"))
        if self.value() == "yes":
            return queryset.filter(still_to_come)
        if self.value() == "no":
            return queryset.exclude(still_to_come)
        return queryset


@admin.register(PurchaseOrderLine)
class PurchaseOrderLineAdmin(SearchAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: lines across purchase orders, e.g. what is still to arrive; edit them on the order."""

    paginator = EstimatedCountPaginator

    list_display = ["purchase_order", "supplier", "material", "quantity", "received_quantity", "unit_price"]
    list_select_related = ["purchase_order__supplier", "material"]
    list_filter = [OutstandingFilter, "purchase_order__status"]
    search = PURCHASE_ORDER_LINE_SEARCH
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description="Supplier", ordering="purchase_order__supplier__code")
    def supplier(self, line):
        return line.purchase_order.supplier.code


class GoodsReceiptLineInline(admin.TabularInline):
    model = GoodsReceiptLine
    fields = ["purchase_order_line", "quantity"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GoodsReceipt)
class GoodsReceiptAdmin(SearchAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only history of deliveries; receive goods from the purchase order."""

    paginator = EstimatedCountPaginator

    list_display = ["id", "purchase_order", "delivery_note", "received_by", "received_at"]
    list_select_related = ["purchase_order", "received_by"]
    search = GOODS_RECEIPT_SEARCH
    list_filter = [("received_at", admin.DateFieldListFilter)]
    inlines = [GoodsReceiptLineInline]
    show_full_result_count = False


# Goods receipts have no history of their own: they are append-only and name who received them and when.


@admin.register(Supplier.history.model)
class SupplierHistoryAdmin(HistoryAdmin):
    """Audit trail: every change to suppliers, by user and date."""


@admin.register(SupplierMaterial.history.model)
class SupplierMaterialHistoryAdmin(HistoryAdmin):
    """Audit trail: every price-list row added, changed (prices, preferred) or removed."""

    parent = "supplier"


@admin.register(PurchaseOrder.history.model)
class PurchaseOrderHistoryAdmin(HistoryAdmin):
    """Audit trail: every change to purchase order headers, workflow steps included, by user and date."""


@admin.register(PurchaseOrderLine.history.model)
class PurchaseOrderLineHistoryAdmin(HistoryAdmin):
    """Audit trail: every purchase order line added, changed or removed (receipts are recorded as goods receipts)."""

    parent = "purchase_order"
