"""The figures the pages show are memoized (relance.tracking.figures, relance.dunning.impact.preview_*): the
same as computed afresh, and changed at once by any write that changes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from relance.accounts.models import Workspace
from relance.dunning.actions import do_run
from relance.dunning.impact import next_business_day
from relance.ledger.models import Customer
from relance.mail.models import Message
from relance.tracking import dashboard, figures
from relance.tracking.models import Event
from relance.tracking.reports import GROUPINGS, build_report
from tests import factories as f
from tests.web.test_dashboard import END, event, kpi_ledger

pytestmark = pytest.mark.django_db

START = date(2026, 3, 1)
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


@pytest.fixture
def ledger(workspace: Workspace, other_workspace: Workspace) -> dict[str, Any]:
    return kpi_ledger(workspace, other_workspace)


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr("relance.web.views.dashboard.workspace_today", lambda workspace, now=None: END)
    monkeypatch.setattr("relance.tracking.reports.workspace_today", lambda workspace, now=None: END)
    return END


@pytest.mark.parametrize("by", [None, *GROUPINGS])
def test_the_memoized_report_is_the_report(
    workspace: Workspace, ledger: dict[str, Any], by: str | None
) -> None:
    expected = build_report(workspace, START, END, by)
    assert figures.report(workspace, START, END, by) == expected
    assert figures.report(workspace, START, END, by) == expected  # from the cache
    assert dashboard.report(workspace, START, END, by) == expected


def test_the_memoized_dashboard_is_the_dashboard(workspace: Workspace, ledger: dict[str, Any]) -> None:
    for _ in range(2):  # computed, then from the cache
        assert figures.trends(workspace, END) == dashboard.trends(workspace, END)
        assert figures.weekly_overdue(workspace, END) == dashboard.weekly_overdue(workspace, END)
        assert figures.funnel(workspace, END) == dashboard.funnel(workspace, END)


def test_a_payment_changes_the_kpi_cards_at_once(
    viewer_client: Client, ledger: dict[str, Any], fixed_today: date
) -> None:
    url = reverse("web:dashboard_kpis")
    assert "€4,000.00" in viewer_client.get(url, headers=HTMX).content.decode()  # overdue balance
    f.pay(ledger["invoices"]["B"], date(2026, 3, 30), "500.00")
    body = viewer_client.get(url, headers=HTMX).content.decode()
    assert "€3,500.00" in body and "€4,000.00" not in body


def test_a_payment_changes_the_overdue_chart_at_once(
    viewer_client: Client, ledger: dict[str, Any], fixed_today: date
) -> None:
    url = reverse("web:dashboard_overdue")
    assert viewer_client.get(url, headers=HTMX).context["overdue_chart"]["datasets"][0]["data"][-1] == 4000.0
    f.pay(ledger["invoices"]["I"], date(2026, 3, 30), "200.00")
    assert viewer_client.get(url, headers=HTMX).context["overdue_chart"]["datasets"][0]["data"][-1] == 3800.0


def test_an_event_and_a_message_change_the_report_at_once(
    viewer_client: Client, workspace: Workspace, ledger: dict[str, Any], fixed_today: date
) -> None:
    params = {"start": "2026-03-01", "end": "2026-03-31", "by": "stage"}

    def report() -> dict[str, Any]:
        return dict(viewer_client.get(reverse("web:reports"), params).context["report"])

    before = report()
    assert (before["sent"], before["open_rate"]) == (4, round(1 / 3, 4))
    event(ledger["messages"][2], Event.OPENED)  # m3: delivered, not opened until now
    assert report()["open_rate"] == round(2 / 3, 4)
    f.sent_message(ledger["customers"][0], "<m7@acme.example>", run_date=date(2026, 3, 30))
    after = report()
    assert after["sent"] == 5 and after == build_report(workspace, START, END, "stage")


def test_a_message_being_sent_changes_the_funnel_at_once(
    viewer_client: Client, ledger: dict[str, Any], fixed_today: date
) -> None:
    url = reverse("web:dashboard_funnel")
    stages = dict(viewer_client.get(url, headers=HTMX).context["stages"])
    assert stages["first"].sent == 2
    Message.objects.filter(pk=ledger["messages"][4].pk).update(status=Message.SENT)  # m5 (first, queued)
    stages = dict(viewer_client.get(url, headers=HTMX).context["stages"])
    assert stages["first"].sent == 3


@pytest.fixture
def chased(workspace: Workspace) -> list[Customer]:
    f.policy(workspace, business_days_only=True)
    found = []
    for n in range(5):
        customer = f.customer(workspace, f"K{n}", name=f"Client {n}", email=f"ap{n}@k.example")
        f.invoice(customer, f"K-{n}", END - timedelta(days=5), f"{100 + n}.00")
        found.append(customer)
    return found


def test_the_next_run_preview_follows_the_ledger_and_the_outbox(
    viewer_client: Client, workspace: Workspace, chased: list[Customer], fixed_today: date
) -> None:
    url = reverse("web:dashboard_next_run")

    def count() -> int:
        return int(viewer_client.get(url, headers=HTMX).context["preview"].count)

    assert count() == 5
    f.hold(chased[0].invoices.get(), END, END + timedelta(days=10))  # a hold: one customer less
    assert count() == 4
    newcomer = f.customer(workspace, "K9", email="ap9@k.example")
    f.invoice(newcomer, "K-9", END - timedelta(days=5), "900.00")  # a new invoice: one more
    assert count() == 5
    f.pay(newcomer.invoices.get(), END, "900.00")  # paid: one less again
    assert count() == 4
    Customer.objects.filter(pk=chased[1].pk).update(excluded=True)
    assert count() == 3
    # The next business day's run written: nothing is left to plan for that day.
    day = next_business_day(workspace, END)
    do_run(workspace, day, datetime.combine(day, datetime.min.time(), UTC), backfill=True)
    assert count() == 0


def test_a_new_policy_version_changes_the_impact_at_once(
    viewer_client: Client, workspace: Workspace, chased: list[Customer], fixed_today: date
) -> None:
    row = workspace.policies.get()
    url = reverse("web:policy_impact", args=[row.pk])

    def first_day_stages() -> dict[str, int]:
        found = viewer_client.get(url, {"days": "3"}, headers=HTMX).context["impact"]
        return {stage: s.customers for day in found.days for stage, s in day.stages.items()}

    before = first_day_stages()
    assert before and sum(before.values()) == 5
    definition = dict(row.definition)
    definition["steps"] = [{"stage": "late", "offset_days": 1, "template": "first"}]
    row.definition, row.version = definition, row.version + 1
    row.save()
    assert first_day_stages() == {"late": 5}
