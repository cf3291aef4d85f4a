"""The admin page where staff ask for a report file; it runs as a job and the job page offers the download."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from apps.core.jobs import start_job
from apps.core.writers import FORMATS

from .api.serializers import ReportRunSerializer
from .definitions import REPORTS
from .tasks import generate


class ReportRequestForm(forms.Form):
    report = forms.ChoiceField()
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    file_format = forms.ChoiceField(choices=[(name, name.upper()) for name in sorted(FORMATS)], initial="xlsx")

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [(report.key, report.title) for report in reports]

    def clean(self):
        # The API's rules for the same request, so the admin and the API cannot disagree.
        checked = ReportRunSerializer(data={name: self.cleaned_data.get(name) for name in ("date_from", "date_to")})
        if not checked.is_valid():
            for field, errors in checked.errors.items():
                self.add_error(field if field in self.fields else None, errors)
        return self.cleaned_data


def run_report(request):
    reports = [report for report in REPORTS.values() if request.user.has_perm(report.permission)]
    if not reports:
        raise PermissionDenied
    form = ReportRequestForm(request.POST or None, reports=reports)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = REPORTS[data["report"]]
        job = start_job(
            generate,
            title=report.title,
            user=request.user,
            report=report.key,
            file_format=data["file_format"],
            date_from=data["date_from"] and str(data["date_from"]),
            date_to=data["date_to"] and str(data["date_to"]),
        )
        return redirect(reverse("admin:core_job_change", args=[job.pk]))
    context = {**admin.site.each_context(request), "title": "Run a report", "form": form, "reports": reports}
    return TemplateResponse(request, "admin/reports/run.html", context)
