"""Reports: the KPI table of `relance report` in SQL (checked against the Python report), the page, CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from relance.accounts.models import Workspace
from relance.tracking import dashboard
from relance.tracking.reports import GROUPINGS, build_report
from tests import factories as f
from tests.web.test_dashboard import END, kpi_ledger

pytestmark = pytest.mark.django_db

START = date(2026, 3, 1)


@pytest.fixture
def ledger(workspace: Workspace, other_workspace: Workspace) -> dict[str, Any]:
    return kpi_ledger(workspace, other_workspace)


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr("relance.tracking.reports.workspace_today", lambda workspace, now=None: END)
    monkeypatch.setattr("relance.web.views.dashboard.workspace_today", lambda workspace, now=None: END)
    return END


@pytest.mark.parametrize("by", [None, *GROUPINGS])
def test_the_sql_report_equals_the_command_line_report(
    workspace: Workspace, ledger: dict[str, Any], by: str | None
) -> None:
    assert dashboard.report(workspace, START, END, by) == build_report(workspace, START, END, by)


@pytest.mark.parametrize("start", [date(2025, 10, 1), date(2026, 1, 15), date(2026, 3, 20)])
def test_the_sql_report_equals_the_command_line_report_over_other_periods(
    workspace: Workspace, ledger: dict[str, Any], start: date
) -> None:
    assert dashboard.report(workspace, start, END, "month") == build_report(workspace, start, END, "month")


def test_the_sql_report_equals_the_command_line_report_with_a_tolerance(
    workspace: Workspace, ledger: dict[str, Any]
) -> None:
    workspace.tolerance = Decimal("0.50")
    workspace.save()
    nearly = f.invoice(ledger["customers"][0], "N", date(2026, 2, 1), "100.00")
    f.pay(nearly, date(2026, 3, 10), "99.70")
    assert dashboard.report(workspace, START, END, "stage") == build_report(workspace, START, END, "stage")


def test_the_report_holds_the_hand_computed_figures(workspace: Workspace, ledger: dict[str, Any]) -> None:
    found = dashboard.report(workspace, START, END, "variant")
    assert found["sent"] == 4 and found["delivered"] == 3
    assert found["open_rate"] == round(1 / 3, 4) and found["click_rate"] == 0.25
    assert found["amount_recovered"] == "1350.00" and found["amount_reminded"] == "3350.00"
    assert found["receivables"] == "5500.00"
    assert found["ageing"] == {
        "not_due": "1500.00",
        "1_30": "500.00",
        "31_60": "1200.00",
        "61_90": "300.00",
        "over_90": "2000.00",
    }
    assert found["avg_days_late"] == 43.5  # A paid 03-20, due 01-10 (69 days); F paid 03-05, due 02-15 (18)
    groups = {g["group"]: g["sent"] for g in found["groups"]}
    assert groups == {"": 2, "A": 1, "B": 1}


def test_the_reports_page_shows_the_kpis_with_targets_and_notes(
    viewer_client: Client, ledger: dict[str, Any], fixed_today: date
) -> None:
    response = viewer_client.get(
        reverse("web:reports"), {"start": "2026-03-01", "end": "2026-03-31", "by": "stage"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-kpi="open_rate"' in body and "&gt; 20%" in body and "&gt; 3%" in body
    assert "33.3%" in body  # open rate
    assert "privacy proxies" in body and "countback" in body
    assert 'data-group="first"' in body and 'data-group="final"' in body
    assert "€5,500.00" in body  # receivables
    assert "99,999" not in body
    for chart in ("rates-chart", "recovered-chart", "overdue-chart"):
        assert f'<script id="{chart}" type="application/json">' in body
    assert "start=2026-03-01&amp;end=2026-03-31&amp;by=stage" in body  # the CSV link keeps the options


def test_the_reports_page_defaults_to_the_last_three_months_by_stage(
    viewer_client: Client, ledger: dict[str, Any], fixed_today: date
) -> None:
    response = viewer_client.get(reverse("web:reports"))
    assert response.status_code == 200
    assert response.context["report"]["from"] == "2026-01-01"
    assert response.context["report"]["to"] == "2026-03-31"
    assert response.context["by"] == "stage"


def test_a_period_ending_before_it_starts_is_refused(viewer_client: Client, ledger: dict[str, Any]) -> None:
    response = viewer_client.get(reverse("web:reports"), {"start": "2026-03-31", "end": "2026-03-01"})
    assert response.status_code == 400
    assert "before its start" in response.content.decode()
    response = viewer_client.get(reverse("web:reports_csv"), {"start": "2026-03-31", "end": "2026-03-01"})
    assert response.status_code == 400
    response = viewer_client.get(reverse("web:reports"), {"start": "31/03/2026", "by": "colour"})
    assert response.status_code == 400


@pytest.mark.parametrize("by", [None, "stage", "segment", "month"])
def test_the_csv_export_has_the_columns_and_rows_of_the_command(
    viewer_client: Client, workspace: Workspace, ledger: dict[str, Any], by: str | None
) -> None:
    params = {"start": "2026-03-01", "end": "2026-03-31", "by": by or ""}
    response = viewer_client.get(reverse("web:reports_csv"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "relance-report-default-2026-03-01-2026-03-31.csv" in response["Content-Disposition"]
    out = io.StringIO()
    options = ["--from", "2026-03-01", "--to", "2026-03-31", "--csv"] + (["--by", by] if by else [])
    call_command("report", *options, stdout=out)
    assert response.content.decode() == out.getvalue()
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    if by is None:
        assert rows[0]["sent"] == "4" and rows[0]["receivables"] == "5500.00"
    elif by == "stage":
        assert {row["stage"]: row["sent"] for row in rows} == {"first": "2", "second": "1", "final": "1"}


def test_a_viewer_may_export(viewer_client: Client, ledger: dict[str, Any], fixed_today: date) -> None:
    response = viewer_client.get(reverse("web:reports_csv"))
    assert response.status_code == 200
    assert response.content.decode().startswith("from,to,sent,")


def test_another_workspaces_messages_never_count(
    workspace: Workspace, other_workspace: Workspace, ledger: dict[str, Any]
) -> None:
    here = dashboard.report(workspace, START, END)
    there = dashboard.report(other_workspace, START, END)
    assert here["sent"] == 4 and there["sent"] == 1
    assert there["amount_recovered"] == "50000.00" and here["amount_recovered"] == "1350.00"
