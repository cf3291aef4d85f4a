from django import forms
from django.contrib import admin

from apps.core.adminkit import DocumentAdminMixin, LinesInlineMixin, workflow_action
from apps.core.audit_admin import AuditedAdmin, HistoryAdmin
from apps.core.imports.admin import ExportImportAdminMixin
from apps.core.pagination import EstimatedCountPaginator
from apps.core.search import SearchAdminMixin

from . import services
from .choices import EDITABLE_STATUSES, OrderStatus
from .models import ORDER_SEARCH, Order, OrderLine


class OrderLineFormSet(forms.BaseInlineFormSet):
    """Applies the order's cross-line rules (the same check the API uses) to the inline form."""

    def clean(self):
        super().clean()
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if not kept:  # the admin does not pass validate_min to inline formsets, so check here
            raise forms.ValidationError("An order needs at least one line.")
        if self.instance.buyer_id is None or any(form.errors for form in kept):
            return
        lines = [form.instance for form in kept]
        for index, errors in services.order_lines_check(buyer_id=self.instance.buyer_id, lines=lines).items():
            for field, messages in errors.items():
                kept[index].add_error(field, messages)


class OrderLineInline(LinesInlineMixin, admin.TabularInline):
    editable_statuses = frozenset(EDITABLE_STATUSES)

    model = OrderLine
    formset = OrderLineFormSet
    autocomplete_fields = ["style"]
    fields = ["style", "colour", "size", "quantity", "unit_price", "amount"]
    readonly_fields = ["amount"]
    min_num = 1
    extra = 0


def _transition(order, status):
    services.order_transition(order=order, status=status)


@admin.register(Order)
class OrderAdmin(ExportImportAdminMixin, DocumentAdminMixin, SearchAdminMixin, AuditedAdmin):
    import_resource = "orders"
    paginator = EstimatedCountPaginator
    list_display = ["number", "buyer", "buyer_reference", "status", "order_date", "ship_date", "currency", "total"]
    list_select_related = ["buyer"]
    # Date filters, not date_hierarchy (it reads the distinct dates of the whole table on every page);
    # no currency filter (it would list the distinct currencies of every order).
    list_filter = ["status", ("order_date", admin.DateFieldListFilter), ("ship_date", admin.DateFieldListFilter)]
    search = ORDER_SEARCH
    autocomplete_fields = ["buyer"]
    readonly_fields = ["number", "status", "total", "created_at", "updated_at"]
    inlines = [OrderLineInline]
    history_lines = [(OrderLine, "order")]
    show_full_result_count = False
    list_per_page = 50
    actions = [
        workflow_action(status=OrderStatus.CONFIRMED, description="Confirm selected orders", perform=_transition),
        workflow_action(status=OrderStatus.IN_PRODUCTION, description="Start production", perform=_transition),
        workflow_action(status=OrderStatus.SHIPPED, description="Mark shipped", perform=_transition),
        workflow_action(status=OrderStatus.CLOSED, description="Close selected orders", perform=_transition),
        workflow_action(status=OrderStatus.CANCELLED, description="Cancel selected orders", perform=_transition),
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # orders are cancelled, never deleted: they are the trading record

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        fixed = ["buyer"] if obj.status in EDITABLE_STATUSES else ["buyer", "order_date", "ship_date", "currency"]
        return [*self.readonly_fields, *fixed]

    def create_document(self, fields):
        return services.order_create(**fields, lines=None)  # the inline saves them next

    def update_document(self, order, data):
        services.order_update(order=order, data=data)

    def recalculate_total(self, order):
        services.order_recalculate_total(order=order)


@admin.register(Order.history.model)
class OrderHistoryAdmin(HistoryAdmin):
    """Audit trail: every change to order headers, workflow steps included, by user and date."""


@admin.register(OrderLine.history.model)
class OrderLineHistoryAdmin(HistoryAdmin):
    """Audit trail: every order line added, changed or removed."""

    parent = "order"
