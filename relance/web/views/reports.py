"""Reports: the KPI table of `relance report` for a period and a grouping, with charts and a CSV export."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.engine import kpi
from relance.tracking.dashboard import GROUPINGS, stage_order
from relance.tracking.figures import report
from relance.tracking.reports import csv_rows, default_period
from relance.web.access import require_role, workspace_of
from relance.web.views.dashboard import BUCKET_LABELS, chart, display_currency, short_date

GROUP_LABELS = {
    "stage": gettext_lazy("stage"),
    "template": gettext_lazy("template"),
    "variant": gettext_lazy("A/B variant"),
    "segment": gettext_lazy("segment"),
    "month": gettext_lazy("month"),
}


class ReportForm(forms.Form):
    """The options of `relance report`: --from, --to, --by."""

    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    by = forms.ChoiceField(
        label=gettext_lazy("Group by"),
        required=False,
        choices=[("", gettext_lazy("no grouping")), *((g, GROUP_LABELS[g]) for g in GROUPINGS)],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period is before its start."))
        return data


def _options(request: HttpRequest) -> tuple[ReportForm, date | None, date | None, str | None]:
    params = request.GET.copy()
    if "by" not in params:
        params["by"] = "stage"  # the page's default: the charts need groups
    form = ReportForm(params)
    if not form.is_valid():
        return form, None, None, None
    data = form.cleaned_data
    return form, data.get("start"), data.get("end"), data.get("by") or None


KPI_ROWS = (
    ("sent", gettext_lazy("Messages sent"), "count"),
    ("delivered", gettext_lazy("Delivered"), "count"),
    ("open_rate", gettext_lazy("Open rate (of delivered)"), "rate"),
    ("click_rate", gettext_lazy("Click rate (of sent)"), "rate"),
    ("response_rate", gettext_lazy("Response rate"), "rate"),
    ("conversion_rate", gettext_lazy("Conversion rate"), "rate"),
    ("avg_days_to_payment", gettext_lazy("Average days to payment after a reminder"), "days"),
    ("invoices_paid_after_reminder", gettext_lazy("Invoices paid after a reminder"), "count"),
    ("amount_recovered", gettext_lazy("Amount recovered"), "money"),
    ("recovery_rate", gettext_lazy("Recovery rate"), "rate"),
    ("dso", gettext_lazy("DSO (countback) at the end of the period"), "days"),
    ("avg_days_late", gettext_lazy("Average days late (invoices paid in the period)"), "days"),
    ("receivables", gettext_lazy("Receivables at the end of the period"), "money"),
)


@require_role("viewer")
def reports(request: HttpRequest) -> HttpResponse:
    workspace = workspace_of(request)
    form, start, end, by = _options(request)
    if form.errors:
        return render(request, "web/reports/index.html", {"form": form}, status=400)
    data = report(workspace, start, end, by)
    currency = display_currency(workspace)
    groups = data.get("groups", [])
    if by == "stage":
        groups = sorted(groups, key=lambda g: stage_order(g["group"]))
    labels = [g["group"] or "—" for g in groups]
    shown = ReportForm(initial={"start": data["from"], "end": data["to"], "by": by or ""})
    context = {
        "form": shown,
        "report": data,
        "by": by,
        "by_label": GROUP_LABELS.get(by or "", ""),
        "groups": groups,
        "currency": currency,
        "kpi_rows": [(key, label, kind, data[key], kpi.TARGETS.get(key)) for key, label, kind in KPI_ROWS],
        "ageing_rows": [(BUCKET_LABELS[name], data["ageing"][name]) for name in kpi.BUCKETS],
        "query": urlencode({"start": data["from"], "end": data["to"], "by": by or ""}),
        "rates_chart": chart(
            "bar",
            labels,
            [
                {"label": _("Open rate"), "data": [g["open_rate"] or 0 for g in groups]},
                {"label": _("Click rate"), "data": [g["click_rate"] or 0 for g in groups]},
                {"label": _("Response rate"), "data": [g["response_rate"] or 0 for g in groups]},
                {"label": _("Conversion rate"), "data": [g["conversion_rate"] or 0 for g in groups]},
            ],
            "percent",
        ),
        "recovered_chart": chart(
            "bar",
            labels,
            [{"label": _("Amount recovered"), "data": [g["amount_recovered"] for g in groups]}],
            "money",
            currency,
        ),
        "overdue_chart": chart(
            "line",
            [short_date(date.fromisoformat(point["date"])) for point in data["overdue_by_month"]],
            [{"label": _("Overdue balance"), "data": [p["overdue"] for p in data["overdue_by_month"]]}],
            "money",
            currency,
        ),
    }
    return render(request, "web/reports/index.html", context)


@require_role("viewer")
def reports_csv(request: HttpRequest) -> HttpResponse:
    """The same columns as `relance report --csv` (with the same options)."""
    workspace = workspace_of(request)
    form = ReportForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{field}: {' '.join(str(m) for m in e)}" for field, e in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    start, end = default_period(workspace, data.get("start"), data.get("end"))
    columns, rows = csv_rows(report(workspace, start, end, data.get("by") or None))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="relance-report-{workspace.slug}-{start.isoformat()}-{end.isoformat()}.csv"'
    )
    writer = csv.DictWriter(response, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    return response
