"""API clients holding a bearer token of a given role, and a second workspace to prove isolation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from relance.accounts.models import Workspace
from relance.accounts.people import do_issue_token
from relance.ledger.models import Invoice
from relance.ledger.queries import workspace_today
from relance.mail.models import Message, MessageItem
from relance.tracking.models import Event
from tests import factories


class ApiClient(Client):
    """A test client that sends JSON and the token; paths are relative to /api/."""

    def __init__(self, secret: str | None, **kwargs: Any) -> None:
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        super().__init__(headers=headers, **kwargs)

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        url = "/api" + path
        if method == "get":
            return self.get(url, params)
        data = "" if body is None else body
        return getattr(self, method)(url, data, content_type="application/json")


@pytest.fixture
def other_workspace(db: Any) -> Workspace:
    return Workspace.objects.create(
        slug="globex", name="Globex", sender="Hank Scorpio <hank@globex.example>", country="FR"
    )


@pytest.fixture
def api_as(workspace: Workspace) -> Callable[..., ApiClient]:
    """api_as("collector") → a client with a fresh token of that role in `workspace` (or `in_workspace`)."""

    def make(role: str, in_workspace: Workspace | None = None) -> ApiClient:
        issued = do_issue_token(in_workspace or workspace, f"{role} test", role, None)
        return ApiClient(issued.secret)

    return make


@pytest.fixture
def viewer_api(api_as: Callable[..., ApiClient]) -> ApiClient:
    return api_as("viewer")


@pytest.fixture
def collector_api(api_as: Callable[..., ApiClient]) -> ApiClient:
    return api_as("collector")


@pytest.fixture
def today(workspace: Workspace) -> date:
    return workspace_today(workspace)


@pytest.fixture
def ledger(workspace: Workspace, today: date) -> dict[str, Any]:
    """Two customers; F-1 overdue and partly paid, F-2 not due yet and on hold, F/2026/3 paid; a message
    sent, one awaiting approval, one queued."""
    c1 = factories.customer(workspace, "C1", segment="key")
    c2 = factories.customer(workspace, "C2", name="Beta SA", email="ap@beta.example", language="en")
    f1 = factories.invoice(c1, "F-1", today - timedelta(days=40), amount="1200.00")
    f2 = factories.invoice(c1, "F-2", today + timedelta(days=15), amount="500.00")
    f3 = factories.invoice(c2, "F/2026/3", today - timedelta(days=60), amount="300.50")
    factories.pay(f1, today - timedelta(days=10), amount="200.00", reference="VIR-1")
    factories.pay(f3, today - timedelta(days=50), reference="VIR-3")
    held = factories.hold(f2, today - timedelta(days=5), today + timedelta(days=30))
    sent = factories.sent_message(c1, "<m1@acme.example>", run_date=today - timedelta(days=20))
    item(sent, f1, "first", 1)
    Event.objects.create(
        workspace=workspace,
        message=sent,
        customer=c1,
        kind=Event.OPENED,
        occurred_at=timezone.now(),
        source="pixel",
    )
    waiting = factories.sent_message(
        c1, "<m2@acme.example>", run_date=today, stage="final", status=Message.AWAITING_APPROVAL, sent_at=None
    )
    item(waiting, f1, "final", 3)
    queued = factories.sent_message(
        c2, "<m3@acme.example>", run_date=today, status=Message.QUEUED, sent_at=None
    )
    return {
        "c1": c1,
        "c2": c2,
        "f1": f1,
        "f2": f2,
        "f3": f3,
        "hold": held,
        "sent": sent,
        "waiting": waiting,
        "queued": queued,
    }


def item(message: Message, invoice: Invoice, stage: str, step: int) -> MessageItem:
    return MessageItem.objects.create(
        message=message, invoice=invoice, stage=stage, step_index=step, outstanding=Decimal("1000.00")
    )


@pytest.fixture
def other_ledger(other_workspace: Workspace, today: date) -> dict[str, Any]:
    """Globex's own customer C1, invoice F-1 and a message awaiting approval: same keys as Acme's."""
    c1 = factories.customer(other_workspace, "C1", name="Globex client")
    f1 = factories.invoice(c1, "F-1", today - timedelta(days=40))
    factories.invoice(c1, "G-9", today - timedelta(days=40))
    message = factories.sent_message(
        c1, "<g1@globex.example>", status=Message.AWAITING_APPROVAL, sent_at=None, run_date=today
    )
    item(message, f1, "final", 3)
    return {"c1": c1, "f1": f1, "message": message}
