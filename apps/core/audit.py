"""Audit trail: who changed which record, when, and what changed (django-simple-history).

Each model staff edit declares `history = AuditedHistory()`. Every save and delete then writes
a row to its historical table (`+` created, `~` changed, `-` deleted) holding the audited
fields as they were after the write, the time and the user.

The user comes from simple_history's HistoryRequestMiddleware, which keeps the request for the
model signals. An admin request carries the session's user. An API request carries DRF's user:
DRF authenticates (token or session) before any handler runs and sets the user it found on the
Django request too, so token writes are attributed like session writes. The change reason
says where a write came from: the request's method and path ("PATCH /api/v1/buyers/12/",
"POST /admin/buyers/buyer/12/change/"). Writes outside a request (management commands, Celery
tasks) have neither user nor reason, unless run inside `acting_as(user, reason)` (a job staff
started, such as an admin import, is attributed to them).

Services that write many rows at once use bulk_create_audited, bulk_update_audited,
delete_with_history and bulk_delete_audited below, so that bulk writes are audited too, with one INSERT of history rows
per statement. Bulk loads (generate_data's COPY and sample data) are not audited.
"""

from contextlib import contextmanager
from types import SimpleNamespace

from django.db import connection, models
from django.db.models.deletion import Collector
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history, get_history_model_for_model

# Left out wherever a model has them: they change on every save, and the history row has its own date.
ALWAYS_EXCLUDED = ("updated_at",)


def request_reason() -> str | None:
    """The change reason of writes in this request: its method and path; None outside a request."""
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return None
    return f"{request.method} {request.path}"[:100]  # the column's length


@contextmanager
def acting_as(user, reason: str):
    """Attribute the writes inside to `user` with change reason `reason` (at most 100 characters), as a
    request would: for a background job done on someone's behalf. Not for use inside a request."""
    method, _, path = reason.partition(" ")
    HistoricalRecords.context.request = SimpleNamespace(user=user, method=method, path=path)
    try:
        yield
    finally:
        del HistoricalRecords.context.request


class AuditedHistory(HistoricalRecords):
    """HistoricalRecords with our defaults: updated_at left out, the user/date and date indexes
    the audit trail filters on, and saves that touch only left-out fields (a login stamping
    last_login) recorded as nothing."""

    def __init__(self, **kwargs):
        kwargs.setdefault("history_id_field", models.BigAutoField(primary_key=True))  # like our own ids
        super().__init__(**kwargs)

    def finalize(self, sender, **kwargs):
        if sender is self.cls:  # the model's fields are all known now, inherited ones included
            names = {field.name for field in sender._meta.fields}
            self.excluded_fields = [*self.excluded_fields, *(name for name in ALWAYS_EXCLUDED if name in names)]
        super().finalize(sender, **kwargs)

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        # "Changes by this user, newest first" is one index scan; the history_date index (added by
        # simple_history) serves the date filter and the unfiltered list.
        options["indexes"] = [models.Index(fields=["history_user", "history_date"])]
        return options

    def _get_history_user_fields(self):
        fields = super()._get_history_user_fields()
        fields["history_user"].db_index = False  # the (history_user, history_date) index leads with it
        return fields

    def get_change_reason_for_object(self, instance, history_type, using):
        return super().get_change_reason_for_object(instance, history_type, using) or request_reason()

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def post_delete(self, instance, using=None, **kwargs):
        if getattr(instance, "_history_recorded", False):
            return  # delete_with_history() wrote it already, with the other rows of that delete
        super().post_delete(instance, using=using, **kwargs)


def bulk_create_audited(objs: list, model: type[models.Model]) -> list:
    """bulk_create() the rows and their `+` history rows: two INSERTs however many rows."""
    return bulk_create_with_history(objs, model, default_change_reason=request_reason())


def bulk_update_audited(objs: list, model: type[models.Model], fields: list[str]) -> int:
    """bulk_update() these fields of the rows and add their `~` history rows in one INSERT."""
    return bulk_update_with_history(objs, model, fields, default_change_reason=request_reason())


def delete_with_history(queryset: models.QuerySet) -> int:
    """Delete rows as queryset.delete() does (signals, cascades, protection), writing their `-`
    history rows in one INSERT instead of one per row. Returns how many rows were deleted."""
    rows = list(queryset)
    if not rows:
        return 0
    _delete_history(queryset.model, rows)
    for row in rows:
        row._history_recorded = True
    collector = Collector(using=queryset.db, origin=queryset)
    collector.collect(rows)
    deleted, _ = collector.delete()
    return deleted


def bulk_delete_audited(queryset: models.QuerySet) -> int:
    """Delete rows nothing refers to (bill or order lines being replaced) with one INSERT of their `-`
    history rows and one DELETE, however many rows: Django's deletion would take a DELETE per 100
    rows. No delete signals are sent, so the caller bumps the cache (apps.core.cache.bump)."""
    model = queryset.model
    if model._meta.related_objects:
        raise ValueError(f"{model.__name__} rows may be referred to: use delete_with_history().")
    rows = list(queryset)
    if not rows:
        return 0
    _delete_history(model, rows)
    with connection.cursor() as cursor:
        table, pk = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(model._meta.pk.column)
        cursor.execute(f"DELETE FROM {table} WHERE {pk} = ANY(%s)", [[row.pk for row in rows]])
        return cursor.rowcount


def _delete_history(model: type[models.Model], rows: list) -> None:
    history_model = get_history_model_for_model(model)
    now, reason = timezone.now(), request_reason()
    history_model.objects.bulk_create(
        [
            history_model(
                history_date=now,
                history_type="-",
                history_user=history_model.get_default_history_user(row),
                history_change_reason=getattr(row, "_change_reason", None) or reason,
                **{field.attname: getattr(row, field.attname) for field in history_model.tracked_fields},
            )
            for row in rows
        ]
    )
