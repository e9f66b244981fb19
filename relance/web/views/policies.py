"""Policies: the list with their steps; one policy's timeline, impact preview and definition (editable)."""

from __future__ import annotations

from typing import Any

import yaml
from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from relance.accounts.models import Workspace
from relance.dunning.impact import IMPACT_DAYS, MAX_IMPACT_DAYS, preview_impact
from relance.dunning.models import Policy as PolicyRow
from relance.dunning.policies import do_save_policy, parse_policy_text, policy_summaries
from relance.engine.errors import InvalidInput
from relance.ledger.models import Customer
from relance.web.access import require_role, scoped, workspace_of
from relance.web.views.dashboard import chart, short_date, today_of


def offset_text(offset: int) -> str:
    """A step's moment relative to the due date, in words."""
    if offset < 0:
        return ngettext("%(days)d day before the due date", "%(days)d days before the due date", -offset) % {
            "days": -offset
        }
    if offset == 0:
        return _("on the due date")
    return ngettext("%(days)d day after the due date", "%(days)d days after the due date", offset) % {
        "days": offset
    }


def _with_pks(workspace: Workspace, summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pks = dict(PolicyRow.objects.filter(workspace=workspace).values_list("name", "pk"))
    pinned = dict(
        Customer.objects.filter(workspace=workspace)
        .exclude(pinned_policy="")
        .values_list("pinned_policy")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for summary in summaries:
        summary["pk"] = None if summary["builtin"] else pks.get(summary["name"])
        summary["pinned_customers"] = pinned.get(summary["name"], 0)
        for step in summary["steps"]:
            step["when"] = offset_text(step["offset_days"])
    return summaries


@require_role("viewer")
def policies(request: HttpRequest) -> HttpResponse:
    workspace = workspace_of(request)
    return render(
        request,
        "web/policies/list.html",
        {"policies": _with_pks(workspace, policy_summaries(workspace))},
    )


class PolicySourceForm(forms.Form):
    source = forms.CharField(
        label=gettext_lazy("Definition (YAML or JSON)"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "policy-source", "spellcheck": "false"}),
        max_length=50_000,
        strip=False,
    )

    def clean_source(self) -> str:
        return str(self.cleaned_data["source"]).replace("\r\n", "\n")


class ImpactForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("Days ahead"), min_value=1, max_value=MAX_IMPACT_DAYS, initial=IMPACT_DAYS
    )


def _source_of(row: PolicyRow) -> str:
    if row.source.strip():
        return row.source
    return yaml.safe_dump(row.definition, sort_keys=False, allow_unicode=True)


def _detail(
    request: HttpRequest, row: PolicyRow, form: PolicySourceForm | None = None, status: int = 200
) -> HttpResponse:
    workspace = workspace_of(request)
    summary = next(
        (s for s in _with_pks(workspace, policy_summaries(workspace)) if s["pk"] == row.pk),
        None,
    )
    return render(
        request,
        "web/policies/detail.html",
        {
            "policy": row,
            "summary": summary,
            "form": form or PolicySourceForm(initial={"source": _source_of(row)}),
            "impact_form": ImpactForm(request.GET or None),
        },
        status=status,
    )


@require_role("viewer")
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, scoped(request, PolicyRow, pk=pk))


@require_role("viewer")
def policy_impact(request: HttpRequest, pk: int) -> HttpResponse:
    """How many customers (and how much) reach each stage on each of the next N days' runs: the simulation's
    planning, nothing written. A fragment for htmx; a page of its own without JavaScript."""
    row = scoped(request, PolicyRow, pk=pk)
    workspace, today = today_of(request)
    form = ImpactForm(request.GET or None)
    days = form.cleaned_data["days"] if form.is_valid() else IMPACT_DAYS
    found = preview_impact(workspace, row.name, today, days)
    rows = [(day, [day.stages.get(stage) for stage in found.stages]) for day in found.days]
    totals = [found.total(stage) for stage in found.stages]
    context = {
        "policy": row,
        "impact": found,
        "rows": rows,
        "totals": totals,
        "days": days,
        "currency": _currency(workspace),
        "impact_chart": chart(
            "bar",
            [short_date(day.day) for day in found.days],
            [
                {"label": stage, "data": [s.customers if s else 0 for s in (r[1][i] for r in rows)]}
                for i, stage in enumerate(found.stages)
            ],
        ),
    }
    template = "web/policies/_impact.html"
    if request.headers.get("HX-Request"):
        return render(request, template, context)
    return render(request, "web/policies/impact_page.html", {**context, "section": template})


def _currency(workspace: Workspace) -> str:
    from relance.web.views.dashboard import display_currency

    return display_currency(workspace)


def save_policy_source(workspace: Workspace, row: PolicyRow, source: str) -> tuple[PolicyRow, bool]:
    """Validate and save a new definition of `row` (a new version when it changed), with the rules of
    `relance policy load`. Raises InvalidInput, naming the field, with nothing written.
    Returns (row, changed)."""
    policy = parse_policy_text(source, _("definition"))
    if policy.name != row.name:
        raise InvalidInput(
            _("definition: name: must stay “%(name)s” on this page (got “%(new)s”)")
            % {"name": row.name, "new": policy.name}
        )
    version = row.version
    saved, _created = do_save_policy(workspace, policy, source)
    return saved, saved.version != version


@require_POST
@require_role("collector")
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = scoped(request, PolicyRow, pk=pk)
    form = PolicySourceForm(request.POST)
    if form.is_valid():
        try:
            saved, changed = save_policy_source(workspace_of(request), row, form.cleaned_data["source"])
        except InvalidInput as exc:
            for line in str(exc).splitlines():
                form.add_error("source", line)
        else:
            if changed:
                messages.success(
                    request,
                    _("Policy %(name)s saved as version %(version)d.")
                    % {"name": saved.name, "version": saved.version},
                )
            else:
                messages.success(
                    request, _("Policy %(name)s saved (the steps did not change).") % {"name": saved.name}
                )
            return HttpResponseRedirect(reverse("web:policy_detail", args=[saved.pk]))
    return _detail(request, row, form, status=400)
