"""GET /reports/kpis: the same JSON as `relance report --json`, with the same period rules."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command

from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def cli_report(*args: str) -> Any:
    out = io.StringIO()
    call_command("report", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_kpis_are_those_of_relance_report_json(viewer_api: ApiClient, ledger: dict[str, Any]) -> None:
    response = viewer_api.get("/api/reports/kpis")
    assert response.status_code == 200
    assert response.json() == cli_report()
    assert response.json()["sent"] == 1
    assert response.json()["receivables"] == "1500.00"


def test_a_period_grouped_by_stage(viewer_api: ApiClient, ledger: dict[str, Any], today: date) -> None:
    start, end = (today - timedelta(days=30)).isoformat(), today.isoformat()
    body = viewer_api.get("/api/reports/kpis", {"from": start, "to": end, "by": "stage"}).json()
    assert body == cli_report("--from", start, "--to", end, "--by", "stage")
    assert (body["from"], body["to"], body["by"]) == (start, end, "stage")
    assert [g["group"] for g in body["groups"]] == ["first"]


def test_the_end_may_not_come_before_the_start(viewer_api: ApiClient, ledger: dict[str, Any]) -> None:
    response = viewer_api.get("/api/reports/kpis", {"from": "2026-03-01", "to": "2026-02-01"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "to"


def test_a_bad_date_or_grouping_is_a_422(viewer_api: ApiClient, ledger: dict[str, Any]) -> None:
    assert viewer_api.get("/api/reports/kpis", {"from": "01/03/2026"}).json()["errors"][0]["field"] == "from"
    assert viewer_api.get("/api/reports/kpis", {"by": "colour"}).status_code == 422


def test_a_period_longer_than_ten_years_is_refused(viewer_api: ApiClient, ledger: dict[str, Any]) -> None:
    response = viewer_api.get("/api/reports/kpis", {"from": "2000-01-01", "to": "2026-01-01"})
    assert response.status_code == 400
    assert "ten years" in response.json()["detail"]
