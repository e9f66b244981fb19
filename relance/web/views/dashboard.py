"""The dashboard: KPI cards with their trend, ageing, overdue balance over time, funnel, and the next run.

The page itself is a frame; each section is its own request (htmx, `hx-trigger="load"`), so that the page
shows at once and every request stays within its time budget on a large ledger. Without JavaScript, each
section opens as a page of its own (the links in <noscript>).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.accounts.models import Workspace
from relance.dunning.impact import preview_next_run
from relance.engine import kpi
from relance.ledger.models import Invoice
from relance.ledger.queries import workspace_today
from relance.tracking.dashboard import Trend
from relance.tracking.figures import funnel, trends, weekly_overdue
from relance.web.access import require_role, workspace_of
from relance.web.templatetags.relance_web import money, number, percent

BUCKET_LABELS = {
    "not_due": gettext_lazy("Not due"),
    "1_30": gettext_lazy("1–30 days"),
    "31_60": gettext_lazy("31–60 days"),
    "61_90": gettext_lazy("61–90 days"),
    "over_90": gettext_lazy("Over 90 days"),
}


def today_of(request: HttpRequest) -> tuple[Workspace, date]:
    workspace = workspace_of(request)
    return workspace, workspace_today(workspace, timezone.now())


def chart(
    kind: str, labels: list[str], datasets: list[dict[str, Any]], fmt: str = "number", currency: str = ""
) -> dict[str, Any]:
    """The JSON that static/web/charts.js draws (data only: no code, no markup)."""
    return {
        "type": kind,
        "labels": [str(label) for label in labels],
        "datasets": [
            {**d, "label": str(d.get("label", "")), "data": [_plain(v) for v in d["data"]]} for d in datasets
        ],
        "format": fmt,
        "currency": currency,
    }


def _plain(value: Any) -> float | None:
    """Chart data are plain numbers (the only place money becomes a float: a picture of it)."""
    return None if value is None else float(value)


def display_currency(workspace: Workspace) -> str:
    """The currency of the latest invoice (one row by primary key): the one charts label amounts in."""
    latest = Invoice.objects.filter(workspace=workspace).order_by("-pk").values_list("currency", flat=True)
    return latest.first() or "EUR"


def short_date(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def section(request: HttpRequest, name: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The fragment for htmx; the same inside the layout when opened as a page."""
    template = f"web/dashboard/_{name}.html"
    if request.headers.get("HX-Request"):
        return render(request, template, context, status=status)
    return render(request, "web/dashboard/section.html", {**context, "section": template}, status=status)


@require_role("viewer")
def dashboard(request: HttpRequest) -> HttpResponse:
    _workspace, today = today_of(request)
    return render(request, "web/dashboard/index.html", {"today": today})


# --- KPI cards --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: str
    trend: str  # "▲ +2.1 pts", or "" when there is nothing to compare with
    previous: str
    css: str  # "up" (better), "down" (worse), "flat"
    verdict: str  # "better", "worse", "no change": said in words, not only in colour
    target: str = ""
    meets_target: bool | None = None


def arrow(trend: Trend) -> str:
    return {"up": "▲", "down": "▼", "flat": "="}.get(trend.direction, "")


def signed(text: str, delta: Any) -> str:
    return f"+{text}" if delta and delta > 0 else f"−{text}" if delta and delta < 0 else text


def card(key: str, label: str, trend: Trend, kind: str, currency: str) -> Card:
    def show(value: Any) -> str:
        if value is None:
            return "—"
        if kind == "rate":
            return percent(value)
        if kind == "money":
            return money(value, currency)
        if kind == "days":
            return _("%(days)s days") % {"days": number(value, 1)}
        return number(value)

    delta = trend.delta
    if delta is None:
        text = ""
    elif kind == "rate":
        text = _("%(points)s pts") % {"points": signed(number(abs(float(delta)) * 100, 1), delta)}
    elif kind == "money":
        text = signed(money(abs(Decimal(str(delta))), currency), delta)
    elif kind == "days":
        text = _("%(days)s days") % {"days": signed(number(abs(delta), 1), delta)}
    else:
        text = signed(number(abs(delta)), delta)
    better = trend.better
    verdict = _("better") if better else _("worse") if better is False else _("no change")
    target = kpi.TARGETS.get(key)
    return Card(
        key=key,
        label=label,
        value=show(trend.current),
        trend=f"{arrow(trend)} {text}".strip() if text else "",
        previous=show(trend.previous),
        css="up" if better else "down" if better is False else "flat",
        verdict=verdict,
        target=_("target > %(target)s") % {"target": percent(target, 0)} if target is not None else "",
        meets_target=None if target is None or trend.current is None else float(trend.current) > target,
    )


CARDS = (
    ("sent", gettext_lazy("Reminders sent"), "count"),
    ("open_rate", gettext_lazy("Open rate"), "rate"),
    ("click_rate", gettext_lazy("Click rate"), "rate"),
    ("response_rate", gettext_lazy("Response rate"), "rate"),
    ("conversion_rate", gettext_lazy("Conversion rate"), "rate"),
    ("amount_recovered", gettext_lazy("Amount recovered"), "money"),
    ("dso", gettext_lazy("DSO (countback)"), "days"),
    ("overdue", gettext_lazy("Overdue balance"), "money"),
)


@require_role("viewer")
def dashboard_kpis(request: HttpRequest) -> HttpResponse:
    workspace, today = today_of(request)
    found = trends(workspace, today)
    cards = [card(key, str(label), found.kpis[key], kind, found.currency) for key, label, kind in CARDS]
    ageing = found.ageing
    ageing_rows = [(BUCKET_LABELS[name], ageing.buckets[name]) for name in kpi.BUCKETS]
    ageing_chart = chart(
        "bar",
        [str(label) for label, _ in ageing_rows],
        [{"label": _("Outstanding"), "data": [value for _, value in ageing_rows]}],
        "money",
        found.currency,
    )
    context = {
        "cards": cards,
        "periods": found.periods,
        "currency": found.currency,
        "currencies": ageing.currencies,
        "ageing_rows": ageing_rows,
        "receivables": ageing.receivables,
        "ageing_chart": ageing_chart,
    }
    return section(request, "kpis", context)


# --- charts ---------------------------------------------------------------------------------------------


@require_role("viewer")
def dashboard_overdue(request: HttpRequest) -> HttpResponse:
    workspace, today = today_of(request)
    points = weekly_overdue(workspace, today)
    currency = display_currency(workspace)
    context = {
        "points": points,
        "currency": currency,
        "overdue_chart": chart(
            "line",
            [short_date(day) for day, _ in points],
            [{"label": _("Overdue balance"), "data": [value for _, value in points]}],
            "money",
            currency,
        ),
    }
    return section(request, "overdue", context)


@require_role("viewer")
def dashboard_funnel(request: HttpRequest) -> HttpResponse:
    workspace, today = today_of(request)
    stages = funnel(workspace, today)
    currency = display_currency(workspace)
    labels = [stage for stage, _ in stages]
    context = {
        "stages": stages,
        "currency": currency,
        "funnel_chart": chart(
            "bar",
            labels,
            [
                {"label": _("Sent"), "data": [k.sent for _, k in stages]},
                {"label": _("Opened"), "data": [k.opened for _, k in stages]},
                {"label": _("Clicked"), "data": [k.clicked for _, k in stages]},
                {"label": _("Paid after"), "data": [k.converted for _, k in stages]},
            ],
        ),
    }
    return section(request, "funnel", context)


# --- the next run ---------------------------------------------------------------------------------------


@require_role("viewer")
def dashboard_next_run(request: HttpRequest) -> HttpResponse:
    """What the run of the next business day would send, as the ledger stands now (nothing written)."""
    workspace, today = today_of(request)
    preview = preview_next_run(workspace, today)
    return section(request, "next_run", {"preview": preview, "totals": sorted(preview.totals.items())})
