"""No page and no action of one workspace shows or touches another workspace's data.

The routes are discovered from the URL configuration, so a page added later is covered without editing
this file: every parameterless GET page must not show the other workspace's markers, and every route that
takes an id must answer 404 (or refuse the method) for the other workspace's rows, changing nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from relance.accounts.models import ApiToken, Membership
from relance.accounts.people import do_issue_token
from relance.dunning.models import Task
from relance.ledger.models import Customer, Hold, Invoice, Payment
from relance.mail.models import Message
from relance.tracking.models import Experiment
from tests import factories as f
from tests.web.conftest import make_user

pytestmark = pytest.mark.django_db

MARK = "GLOBEXSECRET"


def web_routes() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any]) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name:
                found.append((p.name, list(p.pattern.converters)))

    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and getattr(p, "namespace", None) == "web":
            walk(p.url_patterns)
    return found


def rows_of(workspace: Any) -> dict[str, Any]:
    today = date.today()
    customer = f.customer(workspace, f"{MARK}-C", name=f"{MARK} Customer", email="ap@globex.example")
    invoice = f.invoice(customer, f"{MARK}-F1", today - timedelta(days=20), amount="777.00")
    f.invoice(customer, f"{MARK}-F2", today - timedelta(days=5), amount="555.00")
    payment = f.pay(invoice, today - timedelta(days=1), amount="100.00", reference=f"{MARK}-PAY")
    hold = f.hold(invoice, today - timedelta(days=2), today + timedelta(days=10))
    policy = f.policy(workspace, name=f"{MARK.lower()}-policy")
    message = f.sent_message(
        customer,
        message_id=f"<{MARK.lower()}@globex.example>",
        subject=f"{MARK} subject",
        status=Message.AWAITING_APPROVAL,
        sent_at=None,
    )
    task = Task.objects.create(
        workspace=workspace, customer=customer, kind=Task.CALL, title=f"{MARK} call", due_date=today
    )
    experiment = Experiment.objects.create(
        workspace=workspace,
        name=f"{MARK.lower()}-exp",
        stage="first",
        variants=[
            {"name": "A", "template": "first", "subject": 0},
            {"name": "B", "template": "first", "subject": 1},
        ],
    )
    token = do_issue_token(workspace, f"{MARK} token", "admin", None).token
    member = Membership.objects.create(
        user=make_user("hank@globex.example"), workspace=workspace, role="admin"
    )
    return {
        "settings_token": token,
        "settings_member": member,
        "customer": customer,
        "invoice": invoice,
        "payment": payment,
        "hold": hold,
        "policy": policy,
        "message": message,
        "approval": message,
        "task": task,
        "experiment": experiment,
    }


@pytest.fixture
def setup(workspace, other_workspace):  # type: ignore[no-untyped-def]
    ours = f.customer(workspace, "C1", name="Our Customer")
    f.invoice(ours, "F-1", date.today() - timedelta(days=10))
    theirs = rows_of(other_workspace)
    client = Client()
    client.force_login(make_user("boss@acme.example", workspace, "admin"))
    return client, theirs


def snapshot() -> dict[str, Any]:
    return {
        "customers": list(Customer.objects.values().order_by("pk")),
        "invoices": list(Invoice.objects.values().order_by("pk")),
        "payments": list(Payment.objects.values().order_by("pk")),
        "holds": list(Hold.objects.values().order_by("pk")),
        "messages": list(Message.objects.values("pk", "status", "subject", "text_body").order_by("pk")),
        "tasks": list(Task.objects.values().order_by("pk")),
        "experiments": list(Experiment.objects.values().order_by("pk")),
        "tokens": list(ApiToken.objects.values().order_by("pk")),
        "members": list(Membership.objects.values().order_by("pk")),
    }


def test_pages_never_show_another_workspaces_rows(setup):
    client, _ = setup
    checked = 0
    for name, converters in web_routes():
        if converters or name in {"logout", "switch_workspace"}:
            continue
        url = reverse(f"web:{name}")
        response = client.get(url)
        if response.status_code in (302, 400, 405):
            continue
        assert response.status_code == 200, (url, response.status_code)
        body = response.content.decode()
        assert MARK not in body, f"{url} shows another workspace's data"
        # Searching for words that both workspaces' rows contain finds only ours.
        for words in ("Customer", "F", "subject", "call", "policy"):
            searched = client.get(url, {"q": words})
            if searched.status_code == 200:
                assert MARK not in searched.content.decode(), (
                    f"{url}?q={words} shows another workspace's data"
                )
        checked += 1
    assert checked >= 10


def test_ids_of_another_workspace_are_not_found_and_nothing_changes(setup):
    client, theirs = setup
    before = snapshot()
    checked = 0
    for name, converters in web_routes():
        if converters != ["pk"]:
            continue
        kinds = [k for k in theirs if name.startswith(k + "_") or name.startswith(k + "s_")]
        if not kinds:
            continue
        target = theirs[max(kinds, key=len)]
        url = reverse(f"web:{name}", kwargs={"pk": target.pk})
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (404, 405), f"{url} answered {response.status_code}"
        checked += 1
    assert snapshot() == before
    assert checked >= 30
