"""The KPIs of a period: the same object as `relance report --json`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router

from relance.api.auth import READ, workspace_of
from relance.api.errors import field_error, responses
from relance.api.schemas import Day, KpiReport
from relance.tracking.reports import build_report, default_period

router = Router(tags=["reports"])
MAX_PERIOD_DAYS = 3660  # ten years: the ledger KPIs are computed month by month


@router.get(
    "/reports/kpis",
    response=responses({200: KpiReport}),
    auth=READ,
    by_alias=True,
    exclude_unset=True,
    summary="KPIs of the reminders run in a period and of the receivables at its end",
    description=(
        "Messages run from `from` to `to` (default: the three months up to today in the workspace): open, "
        "click, response and conversion rates, amount recovered; receivables on `to`: DSO (countback), "
        "ageing, average days late. `by` adds one group per stage, template, A/B variant, segment or month. "
        "Rates are ratios (0.205 = 20.5 %), amounts decimal strings."
    ),
)
def kpis(
    request: HttpRequest,
    start: Annotated[Day | None, Query(alias="from", description="first run date, YYYY-MM-DD")] = None,
    end: Annotated[Day | None, Query(alias="to", description="last run date and ledger date")] = None,
    by: Literal["stage", "template", "variant", "segment", "month"] | None = None,
) -> dict[str, Any]:
    workspace = workspace_of(request)
    if start and end and end < start:
        raise field_error("to", f"is before from {start.isoformat()}", end.isoformat())
    first, last = default_period(workspace, start, end)
    if (last - first).days > MAX_PERIOD_DAYS:
        raise field_error("from", "the period is longer than ten years", first.isoformat())
    return build_report(workspace, start, end, by)
