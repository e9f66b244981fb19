"""The dashboard's and the reports' figures as the web pages get them: relance.tracking.dashboard's, each
piece memoized under the versions of the data it reads (relance.tracking.versions).

The pieces are the queries themselves, so that a write recomputes only what it can change: an e-mail opened
(engagement) the messages' outcomes and credited payments, not the messages sent, the amounts reminded or
the ledger figures; a payment (ledger) the ledger figures and the credited payments; a message sent, those
of the messages. Each piece costs tens of milliseconds on a 100,000-invoice ledger; all of them together,
several hundred.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from relance.accounts.models import Workspace
from relance.engine import kpi
from relance.tracking import dashboard
from relance.tracking.reports import default_period
from relance.tracking.versions import ENGAGEMENT, LEDGER, LEDGER_FIGURES, OUTBOX, SENT, memoize


def message_figures(
    workspace: Workspace,
    start: date,
    end: date,
    by: str | None = None,
    *,
    split: date | None = None,
    reminded: bool = True,
    overall: bool = False,
) -> tuple[dict[str, kpi.MessageKpis], kpi.MessageKpis | None]:
    """dashboard.message_kpis (with `overall`: grouped_message_kpis), piece by piece."""
    bounds = memoize(
        workspace,
        "message_bounds",
        (OUTBOX,),
        (start, end),
        lambda: dashboard.message_bounds(workspace, start, end),
    )
    if bounds is None:
        return {}, kpi.message_kpis([]) if overall else None
    scope = dashboard.message_scope(workspace, start, end, bounds, by, split)
    parts = (start, end, by, split, overall)
    # The messages sent and how they are grouped: the outbox (messages, customers' segments) and "sent".
    totals = memoize(workspace, "message_totals", (OUTBOX, SENT), parts, lambda: dashboard.totals_rows(scope))
    flagged = memoize(
        workspace, "message_flagged", (OUTBOX, SENT, ENGAGEMENT), parts, lambda: dashboard.flagged_rows(scope)
    )
    credited = memoize(
        workspace,
        "message_credited",
        (LEDGER, OUTBOX, SENT, ENGAGEMENT),
        parts,
        lambda: dashboard.credited_rows(scope, overall),
    )
    amounts = None
    if reminded:
        amounts = memoize(
            workspace,
            "message_reminded",
            (OUTBOX, SENT),
            parts,
            lambda: dashboard.reminded_rows(scope, overall),
        )
    return dashboard.combine_message_kpis(totals, flagged, credited, amounts, overall)


def report(
    workspace: Workspace, start: date | None = None, end: date | None = None, by: str | None = None
) -> dict[str, Any]:
    """dashboard.report (= `relance report`), memoized piece by piece."""
    start, end = default_period(workspace, start, end)
    if by:
        groups, overall = message_figures(workspace, start, end, by, overall=True)
        assert overall is not None
        messages = (overall, groups)
    else:
        found, _ = message_figures(workspace, start, end)
        messages = (found.get(dashboard.ALL) or kpi.message_kpis([]), {})
    ledger = memoize(
        workspace,
        "report_ledger",
        LEDGER_FIGURES,
        (start, end),
        lambda: dashboard.report_ledger(workspace, start, end),
    )
    return dashboard.assemble_report(workspace, start, end, by, messages, ledger)


def trends(workspace: Workspace, today: date) -> dashboard.Trends:
    """dashboard.trends (the KPI cards), memoized piece by piece."""
    periods = dashboard.Periods(today)
    split, _ = message_figures(
        workspace, periods.previous_start, today, split=periods.current_start, reminded=False
    )
    ledger = memoize(
        workspace, "trend_ledger", LEDGER_FIGURES, (today,), lambda: dashboard.trend_ledger(workspace, today)
    )
    return dashboard.assemble_trends(today, split, ledger)


def weekly_overdue(workspace: Workspace, today: date) -> list[tuple[date, Decimal]]:
    """dashboard.weekly_overdue, memoized."""
    return memoize(
        workspace,
        "weekly_overdue",
        LEDGER_FIGURES,
        (today,),
        lambda: dashboard.weekly_overdue(workspace, today),
    )


def funnel(workspace: Workspace, today: date) -> list[tuple[str, kpi.MessageKpis]]:
    """dashboard.funnel, memoized piece by piece."""
    found, _ = message_figures(
        workspace, dashboard.Periods(today).current_start, today, by="stage", reminded=False
    )
    return sorted(found.items(), key=lambda item: dashboard.stage_order(item[0]))
