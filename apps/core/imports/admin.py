"""Exports and imports in the admin, for any ModelAdmin whose model has an import resource.

    @admin.register(Buyer)
    class BuyerAdmin(ExportImportAdminMixin, SearchAdminMixin, AuditedAdmin):
        import_resource = "buyers"

adds to its changelist:
- the actions "Export selected as CSV" and "Export selected as XLSX";
- "Export this list" (CSV or XLSX): every row the changelist's filters and search keep, not just the page;
- "Import a file": a form whose upload runs as a background job (core.import_file); the job's page shows the report.

Exports write the resource's columns (the import's), so an exported file imports back unchanged.
CSV is streamed from a server-side cursor as it is written, so the first bytes leave at once and
memory stays flat however many rows; XLSX (a zip, written whole) goes to a temporary file first.
"""

import codecs
import tempfile
import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.views.main import PAGE_VAR, IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

from apps.core.jobs import start_job
from apps.core.writers import FORMATS, stream_csv, write_xlsx

from .base import Resource, get_resource
from .tasks import import_file

DELIMITERS = [("", "Detect"), (",", "Comma (,)"), (";", "Semicolon (;)"), ("\t", "Tab"), ("|", "Pipe (|)")]


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV (any common encoding and delimiter) or XLSX (the first sheet).")
    file_format = forms.ChoiceField(
        label="Format", choices=[("", "Detect"), ("csv", "CSV"), ("xlsx", "XLSX")], required=False
    )
    encoding = forms.CharField(
        required=False, max_length=40, help_text="CSV only; empty: detected (UTF-8 or Windows-1252)."
    )
    delimiter = forms.ChoiceField(choices=DELIMITERS, required=False, help_text="CSV only.")
    existing = forms.ChoiceField(
        label="Rows whose key exists",
        choices=[
            ("compare", "Report them as errors if they differ"),
            ("update", "Update them"),
            ("skip", "Leave them as they are"),
        ],
        initial="compare",
        widget=forms.RadioSelect,
    )
    dry_run = forms.BooleanField(required=False, help_text="Check every row and report, but write nothing.")
    strict = forms.BooleanField(required=False, help_text="All or nothing: if any row fails, write none.")

    def clean_encoding(self):
        encoding = self.cleaned_data["encoding"].strip()
        if encoding:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise forms.ValidationError(f"Unknown encoding {encoding!r}.") from None
        return encoding


class ExportImportAdminMixin:
    """Export actions, "Export this list" and "Import a file" for the resource named `import_resource`."""

    import_resource: str
    change_list_template = "admin/imports/change_list.html"
    import_template = "admin/imports/import.html"

    @property
    def resource(self) -> Resource:
        return get_resource(self.import_resource)

    # --- Permissions ---------------------------------------------------------------------------

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    # --- URLs and the changelist ----------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "export/<str:file_format>/",
                self.admin_site.admin_view(self.export_list_view),
                name="{}_{}_export".format(*info),
            ),
            path("import/", self.admin_site.admin_view(self.import_view), name="{}_{}_import".format(*info)),
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = {
            "can_export": self.has_export_permission(request),
            "can_import": self.has_import_permission(request),
            "export_query": _without_page(request.GET).urlencode(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is not None and IS_POPUP_VAR not in request.GET and self.has_export_permission(request):
            for name in ("export_selected_csv", "export_selected_xlsx"):
                actions[name] = self.get_action(name)
        return actions

    # --- Exports -------------------------------------------------------------------------------

    @admin.action(description="Export selected as CSV")
    def export_selected_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description="Export selected as XLSX")
    def export_selected_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    def export_list_view(self, request, file_format: str):
        """Every row of the changelist as filtered and searched (the querystring is the changelist's)."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        changelist_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        request.GET = _without_page(request.GET)  # the changelist would check the page number against the rows
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(f"{changelist_url}?e=1")
        response = self._export(request, changelist.get_queryset(request), file_format)
        return response or HttpResponseRedirect(f"{changelist_url}?{request.GET.urlencode()}")

    def _export(self, request, queryset, file_format: str):
        """The rows as a download; None (with a message) if they cannot be written in that format."""
        if file_format not in FORMATS:
            raise PermissionDenied  # only our own links lead here
        resource = self.resource
        rows = resource.export_rows(self._export_queryset(resource, queryset))
        columns = [column.name for column in resource.columns]
        filename = f"{resource.name}-{timezone.localdate():%Y-%m-%d}.{FORMATS[file_format].extension}"
        if file_format == "csv":
            response = StreamingHttpResponse(stream_csv(columns, rows), content_type=FORMATS["csv"].content_type)
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes, and so deletes, it once sent)
        try:
            write_xlsx(columns, rows, spool, title=resource.title)
        except ValueError as error:  # more rows than a sheet holds
            spool.close()
            self.message_user(request, str(error), messages.ERROR)
            return None
        spool.seek(0)
        return FileResponse(spool, as_attachment=True, filename=filename, content_type=FORMATS["xlsx"].content_type)

    def _export_queryset(self, resource: Resource, queryset):
        """The resource's own export queryset (its joins and prefetches: no query per row) limited to these
        rows; for a resource exporting other rows (an order's lines), to those pointing at them."""
        exported = resource.export_queryset({})
        if exported.model is self.model:
            lookup = "pk"
        else:
            lookup = next(
                field.name
                for field in exported.model._meta.fields
                if field.is_relation and field.related_model is self.model
            )
        return exported.filter(**{f"{lookup}__in": queryset.values("pk")})

    # --- Imports -------------------------------------------------------------------------------

    def import_view(self, request):
        """The upload form; a valid upload is saved and imported by a job, whose page shows the report."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = self.resource
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            name = get_valid_filename(upload.name) or "upload"
            saved = default_storage.save(f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex[:12]}-{name}", upload)
            title = f"{'Dry run: import' if data['dry_run'] else 'Import'} {resource.title.lower()} from {upload.name}"
            job = start_job(
                import_file,
                title=title[:200],
                user=request.user,
                resource=resource.name,
                upload=saved,
                file_format=data["file_format"],
                encoding=data["encoding"],
                delimiter=data["delimiter"],
                existing=data["existing"],
                dry_run=data["dry_run"],
                strict=data["strict"],
            )
            self.message_user(request, f"The import of {upload.name} has started; this page shows its report.")
            return redirect(reverse("admin:core_job_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Import {resource.title.lower()}",
            "form": form,
            "resource": resource,
            "columns": resource.columns,
        }
        return TemplateResponse(request, self.import_template, context)

    def import_template_view(self, request):
        """A CSV with the header row and an example row, to fill in."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = self.resource
        columns = [column.name for column in resource.columns]
        response = StreamingHttpResponse(
            stream_csv(columns, [[column.example for column in resource.columns]]),
            content_type=FORMATS["csv"].content_type,
        )
        response["Content-Disposition"] = f'attachment; filename="{resource.name}-template.csv"'
        return response


def _without_page(query):
    """The changelist's querystring less its page number: an export is of every page."""
    query = query.copy()
    query.pop(PAGE_VAR, None)
    return query
