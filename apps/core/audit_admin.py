"""Admin side of the audit trail (apps.core.audit).

- AuditedAdmin: the base of every audited model's admin. Its History page lists each change
  with the user, the time and the fields that changed (old -> new), and links to the changes
  of the document's lines. Nothing is reverted from there: writes go through the services.
- HistoryAdmin: a read-only changelist of one model's historical rows, across all its records,
  filterable by user, date and action, each row with the fields it changed. Its queries do not
  grow with the page: the previous row of each record comes in one query.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalRecords, ModelChange
from simple_history.utils import get_history_model_for_model, get_m2m_reverse_field_name

from .pagination import EstimatedCountPaginator

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
SHOWN_CHARACTERS = 60  # of an old or new value in the changelist; the History page shows them whole


class AuditedAdmin(SimpleHistoryAdmin):
    """History with field diffs for an audited model; `history_lines` = [(line model, its foreign
    key to this model)] adds links to those lines' changes on the History page."""

    object_history_template = "admin/audit/object_history.html"
    history_lines: tuple = ()

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied  # no reverting a stored version: it would bypass the services' rules
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        links = []
        for line_model, foreign_key in self.history_lines:
            opts = get_history_model_for_model(line_model)._meta
            url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
            label = f"Changes to its {line_model._meta.verbose_name_plural}"
            links.append((f"{url}?{urlencode({foreign_key: unquote(object_id)})}", label))
        return super().history_view(request, object_id, {**(extra_context or {}), "audit_links": links})


class AuditChangeList(ChangeList):
    """Attaches to each row of the page the fields it changed against its record's previous row."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        attach_changes(self.model, self.result_list)


def attach_changes(history_model, rows: list) -> None:
    """Set `audit_changes` (a list of ModelChange) on each historical row, from its `previous_id`:
    one query for the previous rows, one per many-to-many field (a user's groups)."""
    previous = history_model._default_manager.in_bulk([row.previous_id for row in rows if row.previous_id])
    fields = {field.name for field in history_model.tracked_fields if field.editable}
    m2m_sets = _m2m_sets(history_model, [*rows, *previous.values()])
    for row in rows:
        before = previous.get(row.previous_id)
        if row.history_type != "~" or before is None:
            row.audit_changes = []
            continue
        changes = row.diff_against(before, included_fields=fields).changes
        for name, sets in m2m_sets.items():
            old, new = sets.get(before.history_id, set()), sets.get(row.history_id, set())
            if old != new:
                changes.append(ModelChange(name, sorted(old), sorted(new)))
        row.audit_changes = changes


def _m2m_sets(history_model, rows) -> dict[str, dict[int, set]]:
    """{m2m field: {history_id: set of related ids}} for these historical rows."""
    found = {}
    for field in history_model._history_m2m_fields:
        target = f"{get_m2m_reverse_field_name(field)}_id"
        sets: dict[int, set] = {}
        m2m_rows = HistoricalRecords.m2m_models[field].objects.filter(history_id__in=[row.history_id for row in rows])
        for history_id, related_id in m2m_rows.values_list("history_id", target):
            sets.setdefault(history_id, set()).add(related_id)
        found[field.name] = sets
    return found


def _shorten(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= SHOWN_CHARACTERS else f"{text[: SHOWN_CHARACTERS - 1]}…"


class HistoryAdmin(admin.ModelAdmin):
    """The audit trail of one model: who created, changed or deleted which record, when, and which
    fields changed. Whoever may view the model may view its trail. Register it for Model.history.model."""

    parent = ""  # a line's document (e.g. "order"): shown as a column, and ?order=<id> lists its lines' changes
    list_display_links = None
    list_filter = [
        ("history_date", admin.DateFieldListFilter),
        ("history_user", admin.RelatedFieldListFilter),
        "history_type",
    ]
    ordering = ["-history_date", "-history_id"]  # only the date sorts: any other order would sort the whole table
    actions = None
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def get_list_display(self, request):
        parent = [self.parent] if self.parent else []
        return ["date", *parent, "record", "action", "user", "via", "changes"]

    def get_list_select_related(self, request):
        return ["history_user", *([self.parent] if self.parent else [])]

    def get_changelist(self, request, **kwargs):
        return AuditChangeList

    def get_queryset(self, request):
        model = self.model
        pk_name = model.instance_type._meta.pk.attname
        date, history_id = OuterRef("history_date"), OuterRef("history_id")
        earlier = (
            model._default_manager.filter(**{pk_name: OuterRef(pk_name)})
            .filter(Q(history_date__lt=date) | Q(history_date=date, history_id__lt=history_id))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        return super().get_queryset(request).annotate(previous_id=Subquery(earlier))

    def _tracked_permission(self, request) -> bool:
        opts = self.model.instance_type._meta
        return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")

    def has_view_permission(self, request, obj=None):
        return self._tracked_permission(request) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return self._tracked_permission(request) or super().has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Date", ordering="history_date")
    def date(self, row):
        return row.history_date

    @admin.display(description="User")
    def user(self, row):
        return row.history_user or "—"

    @admin.display(description="Via")
    def via(self, row):
        return row.history_change_reason or "—"

    @admin.display(description="Record")
    def record(self, row):
        tracked = self.model.instance_type
        text = str(row.history_object)
        if not self.admin_site.is_registered(tracked):
            return text
        opts = tracked._meta
        try:
            url = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history",
                args=[getattr(row, opts.pk.attname)],
            )
        except NoReverseMatch:
            return text
        return format_html('<a href="{}">{}</a>', url, text)

    @admin.display(description="Action")
    def action(self, row):
        return ACTIONS.get(row.history_type, row.history_type)

    @admin.display(description="Changed fields")
    def changes(self, row):
        if not row.audit_changes:
            return "—"
        return format_html_join(
            "",
            "<div><strong>{}</strong>: {} &rarr; {}</div>",
            ((change.field, _shorten(change.old), _shorten(change.new)) for change in row.audit_changes),
        )
