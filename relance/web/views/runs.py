"""The daily runs: what each one planned, and running today's cycle from the browser."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from relance.dunning.actions import do_run
from relance.dunning.models import Run
from relance.engine.errors import InvalidInput
from relance.ledger.queries import workspace_today
from relance.mail.delivery import deliver_now
from relance.mail.models import Message
from relance.web.access import require_role, workspace_of


class RunForm(forms.Form):
    as_of = forms.DateField(
        required=False,
        label=gettext_lazy("As of (optional)"),
        help_text=gettext_lazy("A past date replays that day and ignores the sending window."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@require_role("viewer")
def run_list(request: HttpRequest) -> HttpResponse:
    workspace = workspace_of(request)
    runs = Run.objects.filter(workspace=workspace).order_by("-run_date", "-pk")
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    today = workspace_today(workspace, timezone.now())
    return render(request, "web/runs/list.html", {"page": page, "form": RunForm(), "today": today})


@require_role("collector")
@require_POST
def run_now(request: HttpRequest) -> HttpResponse:
    workspace = workspace_of(request)
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The date is not valid."))
        return redirect("web:runs")
    now = timezone.now()
    today = workspace_today(workspace, now)
    as_of: date | None = form.cleaned_data["as_of"]
    if as_of is not None and as_of > today:
        messages.error(request, _("A run cannot be in the future."))
        return redirect("web:runs")
    try:
        result = do_run(workspace, as_of or today, now, backfill=as_of is not None)
    except InvalidInput as exc:
        messages.error(request, str(exc))
        return redirect("web:runs")
    problem = deliver_now(workspace)
    stages = Counter(row["stage"] for row in result.messages)
    detail = ", ".join(f"{stage}: {count}" for stage, count in sorted(stages.items()))
    count = len(result.messages)
    messages.success(
        request,
        ngettext(
            "Run of %(day)s: %(count)d message planned%(detail)s.",
            "Run of %(day)s: %(count)d messages planned%(detail)s.",
            count,
        )
        % {"day": result.run_date.isoformat(), "count": count, "detail": f" ({detail})" if detail else ""},
    )
    if problem:
        messages.warning(request, _("Not sent yet: %(why)s") % {"why": problem})
    ids = [row["id"] for row in result.messages]
    waiting = Message.objects.filter(pk__in=ids, status=Message.QUEUED, not_before__gt=timezone.now()).count()
    if waiting:
        messages.info(
            request,
            ngettext(
                "%(count)d waits for the sending window (%(window)s, %(tz)s).",
                "%(count)d wait for the sending window (%(window)s, %(tz)s).",
                waiting,
            )
            % {"count": waiting, "window": workspace.sending_window, "tz": workspace.timezone},
        )
    approval = Message.objects.filter(pk__in=ids, status=Message.AWAITING_APPROVAL).count()
    if approval:
        messages.info(
            request,
            ngettext("%(count)d waits for approval.", "%(count)d wait for approval.", approval)
            % {"count": approval},
        )
    return redirect("web:runs")
