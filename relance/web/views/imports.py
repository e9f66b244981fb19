"""Importing customers, invoices or payments from a CSV or XLSX file: upload, dry run, confirm."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from relance.engine.errors import InvalidInput
from relance.ledger.importing import KINDS
from relance.ledger.importing.reading import XLS_MAGIC, XLSX_MAGIC
from relance.ledger.importing.staged import (
    EXTENSIONS,
    StagedFile,
    discard,
    do_confirm,
    do_dry_run,
    load_staged,
    stage_upload,
)
from relance.ledger.models import ImportLog
from relance.web.access import require_role, workspace_of

MAX_BYTES = 20 * 1024 * 1024
ERRORS_PER_PAGE = 200
RECENT_KEPT = 20

KIND_LABELS = {
    "customers": gettext_lazy("Customers"),
    "invoices": gettext_lazy("Invoices"),
    "payments": gettext_lazy("Payments"),
}


def max_bytes() -> int:
    return int(getattr(settings, "RELANCE_IMPORT_MAX_BYTES", MAX_BYTES))


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=[(kind, KIND_LABELS.get(kind, kind)) for kind in KINDS],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = upload.name or ""
        limit = max_bytes()
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("This file is %(size)s: the limit is %(limit)s. Split it into smaller files.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        if not name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(
                _("%(name)s is not a CSV or XLSX file: save it as 'CSV UTF-8' or as an Excel workbook.")
                % {"name": name}
            )
        head = upload.read(8)
        upload.seek(0)
        if head.startswith(XLS_MAGIC):
            raise forms.ValidationError(
                _("This is an old Excel .xls file: save it as .xlsx or as CSV UTF-8.")
            )
        if name.lower().endswith(".xlsx") and not head.startswith(XLSX_MAGIC):
            raise forms.ValidationError(_("This file is named .xlsx but is not an Excel workbook."))
        if name.lower().endswith(".csv") and head.startswith(XLSX_MAGIC):
            raise forms.ValidationError(_("This file is an Excel workbook named .csv: rename it .xlsx."))
        return upload


def _recent(request: HttpRequest) -> list[dict[str, Any]]:
    """The workspace's latest imports, by anyone and by any way (web, command line, API), newest first."""
    logs = ImportLog.objects.filter(workspace=workspace_of(request)).select_related("by")
    return [
        {
            "at": log.at,
            "file": log.source,
            "kind": log.kind,
            "kind_label": KIND_LABELS.get(log.kind, log.kind),
            "via": log.get_via_display(),
            "by": (log.by.email or log.by.username) if log.by else "",
            "created": log.created,
            "updated": log.updated,
            "unchanged": log.unchanged,
        }
        for log in logs.order_by("-at", "-pk")[:RECENT_KEPT]
    ]


@require_role("viewer")
def import_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, UploadForm())


def _list_page(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "recent": _recent(request), "max_bytes": max_bytes()}
    return render(request, "web/imports/list.html", context, status=status)


@require_role("collector")
@require_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    upload: UploadedFile = form.cleaned_data["file"]
    workspace = workspace_of(request)
    try:
        staged = stage_upload(
            workspace,
            _user_id(request),
            form.cleaned_data["kind"],
            upload.name or "upload",
            upload.chunks(),
            timezone.now(),
        )
    except InvalidInput as exc:
        form.add_error("file", str(exc))
        return _list_page(request, form, status=400)
    do_dry_run(workspace, staged)
    return redirect("web:import_report", token=staged.token)


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)  # views behind require_role have a logged-in user


def _staged(request: HttpRequest, token: str) -> StagedFile:
    """The current user's staged upload in this workspace; anyone else's (or an expired one) is a 404."""
    staged = load_staged(workspace_of(request), _user_id(request), token, timezone.now())
    if staged is None or staged.report is None:
        raise Http404("no such upload")
    return staged


@require_role("collector")
def import_report(request: HttpRequest, token: str) -> HttpResponse:
    staged = _staged(request, token)
    report = staged.report or {}
    errors = Paginator(report.get("errors", []), ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    lines = len({error["line"] for error in report.get("errors", [])})
    context = {
        "staged": staged,
        "kind_label": KIND_LABELS.get(staged.kind, staged.kind),
        "report": report,
        "page": errors,
        "error_lines": lines,
    }
    return render(request, "web/imports/report.html", context)


@require_role("collector")
@require_POST
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    staged = _staged(request, token)
    if (staged.report or {}).get("errors"):
        messages.error(request, _("This file has bad rows: correct them, then upload it again."))
        return redirect("web:import_report", token=staged.token)
    report = do_confirm(workspace_of(request), staged)
    if not report.written:
        messages.error(
            request,
            _("The ledger changed since the check and some rows are now refused: nothing was imported."),
        )
        return redirect("web:import_report", token=staged.token)
    messages.success(
        request,
        _("%(file)s imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        % {
            "file": report.file,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )
    for warning in report.warnings:
        messages.warning(request, warning)
    return redirect("web:imports")


@require_role("collector")
@require_POST
def import_discard(request: HttpRequest, token: str) -> HttpResponse:
    staged = _staged(request, token)
    discard(staged)
    messages.info(request, _("%(file)s was discarded: nothing was imported.") % {"file": staged.filename})
    return redirect("web:imports")
