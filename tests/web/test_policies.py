"""Policies: list, timeline, impact preview (the simulation's plans, nothing written), editing."""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from relance.accounts.models import Workspace
from relance.dunning.actions import do_simulate
from relance.dunning.impact import impact
from relance.dunning.models import Policy as PolicyRow
from relance.dunning.models import Run
from relance.ledger.models import Customer
from relance.mail.models import Message, MessageItem
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 31)
KEY_ACCOUNTS = """name: key-accounts
applies_to: {segments: [key]}
min_days_between_messages: 5
business_days_only: true
steps:
  - {stage: pre_due, offset_days: -7, template: pre_due}
  - {stage: first, offset_days: 5, template: first}
  - {stage: final, offset_days: 40, template: final, requires_approval: true}
"""


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr("relance.web.views.dashboard.workspace_today", lambda workspace, now=None: TODAY)
    return TODAY


@pytest.fixture
def policies(workspace: Workspace) -> dict[str, PolicyRow]:
    default = f.policy(workspace)
    key = f.policy(
        workspace,
        name="key-accounts",
        applies_to={"segments": ["key"]},
        min_days_between_messages=5,
        business_days_only=True,
        steps=[
            {"stage": "pre_due", "offset_days": -7},
            {"stage": "first", "offset_days": 5},
            {"stage": "final", "offset_days": 40, "requires_approval": True},
        ],
    )
    return {"default": default, "key": key}


@pytest.fixture
def customers(workspace: Workspace, policies: dict[str, PolicyRow]) -> None:
    """Invoices falling due around TODAY, for customers of both policies."""
    for n in range(12):
        segment = "key" if n % 3 == 0 else "smb"
        customer = f.customer(workspace, f"C{n:02d}", segment=segment)
        f.invoice(customer, f"F-{n}", TODAY + timedelta(days=n - 6), f"{1000 + n * 10}.00")
        if n % 4 == 1:
            f.invoice(customer, f"G-{n}", TODAY - timedelta(days=14), "250.00")


def test_the_list_shows_every_policy_with_its_steps(
    viewer_client: Client, policies: dict[str, PolicyRow]
) -> None:
    response = viewer_client.get(reverse("web:policies"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-policy="default"' in body and 'data-policy="key-accounts"' in body
    assert "Segments: key" in body
    assert "7 days before the due date" in body and "40 days after the due date" in body
    assert "a person approves" in body
    assert "At least 5 days between two messages" in body and "Business days only" in body
    assert reverse("web:policy_detail", args=[policies["key"].pk]) in body


def test_without_a_policy_the_built_in_default_is_listed(viewer_client: Client, workspace: Workspace) -> None:
    body = viewer_client.get(reverse("web:policies")).content.decode()
    assert 'data-policy="default"' in body and "built in" in body


def test_the_policy_page_shows_a_timeline_and_lazy_impact(
    viewer_client: Client, policies: dict[str, PolicyRow]
) -> None:
    response = viewer_client.get(reverse("web:policy_detail", args=[policies["key"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="timeline"' in body and "5 days after the due date" in body
    assert f'hx-get="{reverse("web:policy_impact", args=[policies["key"].pk])}"' in body
    assert "Save the policy" not in body  # a viewer reads the definition, no form


def test_another_workspaces_policy_is_not_found(
    collector_client: Client, other_workspace: Workspace, policies: dict[str, PolicyRow]
) -> None:
    theirs = f.policy(other_workspace, name="theirs")
    for name in ("web:policy_detail", "web:policy_impact"):
        assert collector_client.get(reverse(name, args=[theirs.pk])).status_code == 404
    response = collector_client.post(reverse("web:policy_edit", args=[theirs.pk]), {"source": KEY_ACCOUNTS})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.version == 1


def test_the_impact_matches_the_simulation_and_writes_nothing(
    workspace: Workspace, customers: None, policies: dict[str, PolicyRow]
) -> None:
    f.sent_message(customer_of(workspace, "C01"), run_date=TODAY - timedelta(days=1))
    before = (Message.objects.count(), MessageItem.objects.count(), Run.objects.count())
    found = {name: impact(workspace, name, TODAY, 14) for name in ("default", "key-accounts")}
    assert (Message.objects.count(), MessageItem.objects.count(), Run.objects.count()) == before
    simulated = do_simulate(workspace, TODAY + timedelta(days=1), TODAY + timedelta(days=14))
    assert (Message.objects.count(), MessageItem.objects.count(), Run.objects.count()) == before
    expected: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    amounts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for message in simulated.messages:
        expected[message["policy"]][(message["run_date"], message["stage"])] += 1
        amounts[message["policy"]][(message["run_date"], message["stage"])] += Decimal(message["total_due"])
    assert sum(expected["default"].values()) > 0 and sum(expected["key-accounts"].values()) > 0
    for name, result in found.items():
        assert len(result.days) == 14 and result.first == TODAY + timedelta(days=1)
        got = Counter(
            {(d.day.isoformat(), stage): s.customers for d in result.days for stage, s in d.stages.items()}
        )
        money = Counter(
            {(d.day.isoformat(), stage): s.amount for d in result.days for stage, s in d.stages.items()}
        )
        assert got == expected[name]
        assert money == amounts[name]
    assert found["key-accounts"].stages == ["pre_due", "first", "final"]


def customer_of(workspace: Workspace, key: str) -> Customer:
    return workspace.customers.get(external_id=key)


def test_the_impact_fragment_shows_days_and_stages_and_writes_nothing(
    viewer_client: Client, customers: None, policies: dict[str, PolicyRow], fixed_today: date
) -> None:
    before = (Message.objects.count(), Run.objects.count())
    url = reverse("web:policy_impact", args=[policies["default"].pk])
    response = viewer_client.get(url, {"days": "7"}, headers={"HX-Request": "true"})
    assert (Message.objects.count(), Run.objects.count()) == before
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert body.count("data-day=") == 7 and 'data-day="2026-04-01"' in body
    assert '<script id="impact-chart" type="application/json">' in body
    page = viewer_client.get(url)  # without JavaScript: a page, 14 days by default
    assert "<html" in page.content.decode() and page.content.decode().count("data-day=") == 14


def test_a_collector_saves_a_new_version_of_the_definition(
    collector_client: Client, policies: dict[str, PolicyRow]
) -> None:
    row = policies["key"]
    source = KEY_ACCOUNTS.replace("offset_days: 40", "offset_days: 45")
    response = collector_client.post(reverse("web:policy_edit", args=[row.pk]), {"source": source})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.version == 2 and row.source == source
    assert row.definition["steps"][2]["offset_days"] == 45
    page = collector_client.get(response["Location"])
    assert "saved as version 2" in page.content.decode()


def test_a_bad_definition_names_the_field_and_writes_nothing(
    collector_client: Client, policies: dict[str, PolicyRow]
) -> None:
    row = policies["key"]
    before = (row.version, row.definition, row.source)
    bad = KEY_ACCOUNTS.replace("offset_days: 5,", "offset_days: 50,")  # first after final's 40: out of order
    response = collector_client.post(reverse("web:policy_edit", args=[row.pk]), {"source": bad})
    assert response.status_code == 400
    body = response.content.decode()
    assert "definition: steps[3]: offset_days 40 is before the previous step" in body
    assert "/tmp" not in body and "relance-policy-" not in body
    for broken, message in (
        ("name: key-accounts\nsteps: [\n", "not valid YAML"),
        ("name: renamed\nsteps:\n  - {stage: first, offset_days: 3}\n", "must stay"),
        (KEY_ACCOUNTS + "colour: blue\n", "unknown key 'colour'"),
    ):
        response = collector_client.post(reverse("web:policy_edit", args=[row.pk]), {"source": broken})
        assert response.status_code == 400
        assert message in html.unescape(response.content.decode())
    row.refresh_from_db()
    assert (row.version, row.definition, row.source) == before
    assert PolicyRow.objects.count() == 2


def test_a_viewer_may_not_edit_a_policy(viewer_client: Client, policies: dict[str, PolicyRow]) -> None:
    row = policies["key"]
    response = viewer_client.post(
        reverse("web:policy_edit", args=[row.pk]), {"source": KEY_ACCOUNTS.replace("40", "45")}
    )
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.version == 1 and row.definition["steps"][2]["offset_days"] == 40


def test_the_edit_form_is_shown_to_collectors(
    collector_client: Client, policies: dict[str, PolicyRow]
) -> None:
    body = collector_client.get(reverse("web:policy_detail", args=[policies["key"].pk])).content.decode()
    assert "Save the policy" in body and 'name="source"' in body and "key-accounts" in body
