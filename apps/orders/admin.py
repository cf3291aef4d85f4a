import re

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import path

from apps.core.adminkit import adopt_saved, workflow_action
from apps.core.audit_admin import AuditedAdmin, HistoryAdmin
from apps.core.imports.admin import ExportImportAdminMixin
from apps.core.pagination import EstimatedCountPaginator
from apps.core.search import SearchAdminMixin

from . import services
from .admin_milestones import OrderMilestoneInline
from .choices import EDITABLE_STATUSES, OrderStatus
from .models import ORDER_SEARCH, Order, OrderLine
from .order_grid import PREFIX, OrderForm, StyleBlockForm

# A style block's form prefix, as the grid's script asks for the table of a style it picked.
BLOCK_PREFIX = re.compile(rf"{PREFIX}-[0-9]+")  # ASCII digits, matched whole


def _transition(order, status):
    services.order_transition(order=order, status=status)


@admin.register(Order)
class OrderAdmin(ExportImportAdminMixin, SearchAdminMixin, AuditedAdmin):
    """Orders with their lines entered as colour x size grids per style (apps/orders/order_grid.py)."""

    form = OrderForm
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
    inlines = [OrderMilestoneInline]
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

    class Media:
        css = {"all": ["orders/grid.css"]}
        js = ["orders/grid.js"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # get_form builds a new class on every call, so this says it for this request only.
        editable = obj is None or (obj.status in EDITABLE_STATUSES and self.has_change_permission(request, obj))
        form.lines_editable = editable
        return form

    def save_model(self, request, obj, form, change):
        """Header and lines through the order services, in the admin's transaction (lines=None: unchanged)."""
        if change:
            data = {field: form.cleaned_data[field] for field in form.changed_data}
            services.order_update(order=obj, data=data, lines=form.lines)
        else:
            adopt_saved(obj, services.order_create(**form.cleaned_data, lines=form.lines))

    def get_urls(self):
        grid = path("grid/", self.admin_site.admin_view(self.grid_view), name="orders_order_grid")
        return [grid, *super().get_urls()]

    def grid_view(self, request):
        """The grid table of the style a block just picked (?style=<id>&prefix=blocks-<n>), for the grid's script."""
        # The table is part of the order form both when adding an order and when changing its lines: either will do.
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        prefix = request.GET.get("prefix", "")
        if not BLOCK_PREFIX.fullmatch(prefix):
            return HttpResponseBadRequest("prefix must be blocks-<n>")
        block = StyleBlockForm(prefix=prefix, initial={"style": request.GET.get("style")})
        return HttpResponse(str(block["quantities"]))


@admin.register(Order.history.model)
class OrderHistoryAdmin(HistoryAdmin):
    """Audit trail: every change to order headers, workflow steps included, by user and date."""


@admin.register(OrderLine.history.model)
class OrderLineHistoryAdmin(HistoryAdmin):
    """Audit trail: every order line added, changed or removed."""

    parent = "order"
