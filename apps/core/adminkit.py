"""Admin building blocks: workflow actions through services, read-only screens, service-created rows."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import ValidationError


def service_action(*, name: str, description: str, done: str, perform: Callable, permission: str = "change"):
    """An admin action calling perform(request, obj) per selected row, each through a service in its
    own transaction; refusals are listed in one message instead of failing the whole batch."""

    @admin.action(description=description, permissions=[permission])
    def action(modeladmin, request, queryset):
        succeeded, refused = 0, []
        for obj in queryset:
            try:
                perform(request, obj)
                succeeded += 1
            except ValidationError as error:
                refused.append(f"{obj}: {' '.join(error.messages)}")
        if succeeded:
            modeladmin.message_user(request, f"{succeeded} {done}.", messages.SUCCESS)
        if refused:
            shown = "; ".join(refused[:10]) + (f" (and {len(refused) - 10} more)" if len(refused) > 10 else "")
            modeladmin.message_user(request, f"Refused: {shown}", messages.ERROR)

    action.__name__ = name
    return action


def workflow_action(*, status: str, description: str, perform: Callable[[object, str], object]):
    """A service_action moving each selected row to `status` with perform(obj, status)."""
    return service_action(
        name=f"move_to_{status}",
        description=description,
        done=f"moved to {status}",
        perform=lambda request, obj: perform(obj, status),
    )


class ReadOnlyAdminMixin:
    """A screen to look at rows that only services write (ledgers, receipts, stored responses)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def adopt_saved(form_instance, saved) -> None:
    """Make the admin's unsaved form instance stand for the row a service just created,
    so the admin's inlines, log entry and redirect refer to it."""
    form_instance.__dict__.update({name: value for name, value in saved.__dict__.items() if name != "_state"})
    form_instance._state.adding = False
    form_instance._state.db = saved._state.db


class DocumentAdminMixin:
    """A document (an order, a purchase order) whose header and inline lines are saved through
    its services: the header is created without lines, the inline saves them, and the total
    is recalculated, all in the admin's one transaction. Subclasses name the three services."""

    def create_document(self, fields: dict):
        raise NotImplementedError

    def update_document(self, document, data: dict):
        raise NotImplementedError

    def recalculate_total(self, document):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        if change:
            self.update_document(obj, {field: form.cleaned_data[field] for field in form.changed_data})
        else:
            adopt_saved(obj, self.create_document(dict(form.cleaned_data)))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.recalculate_total(form.instance)


class LinesInlineMixin:
    """An inline of document lines that can be edited only while the document's status is in
    `editable_statuses` (and always on the add page); afterwards it is shown read-only."""

    editable_statuses: frozenset = frozenset()

    def _editable(self, obj):
        return obj is None or obj.status in self.editable_statuses

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)
