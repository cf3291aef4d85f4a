"""Admin actions for workflow steps: each selected row goes through the app's service."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import ValidationError


def workflow_action(*, status: str, description: str, perform: Callable[[object, str], object]):
    """An admin action calling perform(obj, status) per selected row; refusals are reported, not raised."""

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        moved, refused = 0, []
        for obj in queryset:
            try:
                perform(obj, status)
                moved += 1
            except ValidationError as error:
                refused.append(f"{obj}: {' '.join(error.messages)}")
        if moved:
            modeladmin.message_user(request, f"{moved} moved to {status}.", messages.SUCCESS)
        if refused:
            shown = "; ".join(refused[:10]) + (f" (and {len(refused) - 10} more)" if len(refused) > 10 else "")
            modeladmin.message_user(request, f"Refused: {shown}", messages.ERROR)

    action.__name__ = f"move_to_{status}"
    return action
