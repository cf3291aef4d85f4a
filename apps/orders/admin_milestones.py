"""Admin for the T&A calendar: the milestones inline of an order, the steps (templates) with their
offsets, and every order's milestones in one changelist filterable by state, step and planned date.

Actual dates and notes are saved through apps.orders.milestones.order_milestone_update; planned
dates are never edited here, they follow the order's ship date. Late rows are highlighted by
static/orders/milestones.css (a row holding a .milestone-late mark)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from apps.core.audit_admin import AuditedAdmin, HistoryAdmin
from apps.core.pagination import EstimatedCountPaginator
from apps.core.search import SearchAdminMixin

from .choices import MilestoneState
from .milestones import actual_date_check, order_milestone_update
from .models import ORDER_MILESTONE_SEARCH, MilestoneTemplate, OrderMilestone

MEDIA_CSS = {"all": ["orders/milestones.css"]}
# One line per milestone: the notes of a tabular row are a remark, not a document.
NOTES_WIDGET = {models.TextField: {"widget": forms.TextInput(attrs={"size": 40})}}


@admin.display(description="State")
def state_mark(milestone) -> str:
    """The milestone's state (from OrderMilestone.objects.with_state()) as a coloured mark, with the days late."""
    label = MilestoneState(milestone.state).label
    if milestone.days_late:
        label = f"{label} ({milestone.days_late} d)"
    return format_html('<span class="milestone-state milestone-{}">{}</span>', milestone.state, label)


def _changed(form) -> dict:
    return {field: form.cleaned_data[field] for field in form.changed_data}


def _check_actual_date(form, order_date) -> None:
    """The service's rule on a changed actual date, reported beside the field."""
    actual = form.cleaned_data.get("actual_date")
    if actual is None or "actual_date" not in form.changed_data:
        return
    try:
        actual_date_check(actual_date=actual, order_date=order_date)
    except ValidationError as error:
        form.add_error(None, error)


class OrderMilestoneInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.forms:
            _check_actual_date(form, self.instance.order_date)  # the order's date as posted

    def save_existing(self, form, obj, commit=True):
        # Through the service, with the changed fields only: the row this form loaded may hold a
        # planned date the order's new ship date has just moved.
        return order_milestone_update(milestone=obj, data=_changed(form))


class OrderMilestoneInline(admin.TabularInline):
    """An order's T&A calendar: planned dates read-only, actual dates and notes editable."""

    model = OrderMilestone
    formset = OrderMilestoneInlineFormSet
    fields = ["template", "planned_date", "actual_date", state_mark, "notes"]
    readonly_fields = ["template", "planned_date", state_mark]
    formfield_overrides = NOTES_WIDGET
    verbose_name_plural = "Time and action calendar"
    extra = 0
    can_delete = False

    class Media:
        css = MEDIA_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("template").with_state()

    def has_add_permission(self, request, obj=None):
        return False  # planned from the templates when the order is created


@admin.register(MilestoneTemplate)
class MilestoneTemplateAdmin(AuditedAdmin):
    """The T&A steps every new order is planned with; offsets apply to orders created afterwards."""

    list_display = ["position", "code", "name", "days_before_ship", "is_active"]
    list_display_links = ["code"]
    list_editable = ["position", "name", "days_before_ship", "is_active"]
    list_filter = ["is_active"]
    ordering = ["position", "id"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # orders' milestones point at their step: deactivate it instead


class MilestoneStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return MilestoneState.choices

    def queryset(self, request, queryset):
        if self.value() == MilestoneState.LATE:
            return queryset.late()  # the open-milestones index
        if self.value() in MilestoneState.values:
            return queryset.filter(state=self.value())
        return queryset


class OrderMilestoneForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        _check_actual_date(self, self.instance.order.order_date)
        return cleaned


@admin.register(OrderMilestone)
class OrderMilestoneAdmin(SearchAdminMixin, AuditedAdmin):
    """Every order's T&A milestones, oldest plan first; ?state=late lists the late ones."""

    form = OrderMilestoneForm
    list_display = ["template", "order_link", "buyer", "planned_date", "actual_date", state_mark]
    list_select_related = ["order__buyer", "template"]
    list_filter = [MilestoneStateFilter, "template", ("planned_date", admin.DateFieldListFilter)]
    search = ORDER_MILESTONE_SEARCH
    ordering = ["planned_date", "id"]
    fields = ["order", "template", "days_before_ship", "planned_date", state_mark, "actual_date", "notes"]
    readonly_fields = ["order", "template", "days_before_ship", "planned_date", state_mark]
    formfield_overrides = NOTES_WIDGET
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    class Media:
        css = MEDIA_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).with_state()

    @admin.display(description="Order", ordering="order__number")
    def order_link(self, milestone):
        url = reverse("admin:orders_order_change", args=[milestone.order_id])
        return format_html('<a href="{}">{}</a>', url, milestone.order.number)

    @admin.display(description="Buyer", ordering="order__buyer__code")
    def buyer(self, milestone):
        return milestone.order.buyer.code

    def has_add_permission(self, request):
        return False  # planned from the templates when an order is created

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        order_milestone_update(milestone=obj, data=_changed(form))


@admin.register(MilestoneTemplate.history.model)
class MilestoneTemplateHistoryAdmin(HistoryAdmin):
    """Audit trail: every change to the T&A steps and their offsets."""


@admin.register(OrderMilestone.history.model)
class OrderMilestoneHistoryAdmin(HistoryAdmin):
    """Audit trail: every milestone planned, moved or done."""

    parent = "order"
