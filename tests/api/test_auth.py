"""Bearer tokens: missing, unknown or revoked → 401 JSON; roles limit writes (403); a token sees only its
workspace (another workspace's objects are 404, never listed); last use is written once a minute at most."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from relance.accounts.models import ApiToken, Workspace
from relance.accounts.people import do_issue_token, do_revoke_token
from relance.ledger.models import Customer, Hold, Invoice
from relance.mail.models import Message
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_a_request_without_a_token_gets_a_401_in_json(ledger: dict[str, Any]) -> None:
    response = Client().get("/api/customers")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response.json()["errors"] == []
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer rl_not-a-real-token", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer "]
)
def test_an_unknown_or_malformed_token_gets_a_401(ledger: dict[str, Any], header: str) -> None:
    response = Client(headers={"Authorization": header}).get("/api/customers")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_revoked_token_gets_a_401(workspace: Workspace, ledger: dict[str, Any]) -> None:
    issued = do_issue_token(workspace, "ERP", "collector", None)
    client = ApiClient(issued.secret)
    assert client.get("/api/customers").status_code == 200
    do_revoke_token(issued.token, timezone.now())
    response = client.get("/api/customers")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_viewer_token_reads(viewer_api: ApiClient, ledger: dict[str, Any]) -> None:
    for path in (
        "/customers",
        "/invoices",
        "/payments",
        "/holds",
        "/messages",
        "/approvals",
        "/reports/kpis",
    ):
        assert viewer_api.get("/api" + path).status_code == 200, path


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/customers", {"customer_id": "C9", "name": "New", "email": "new@example.com"}),
        ("/imports/customers", {"rows": [{"customer_id": "C9", "name": "New", "email": "new@example.com"}]}),
        ("/customers/C1/exclude", {"reason": "gone"}),
        ("/customers/C1/include", None),
        (
            "/invoices",
            {
                "number": "N-1",
                "customer_id": "C1",
                "issue_date": "2026-01-01",
                "due_date": "2026-02-01",
                "amount": "10.00",
                "currency": "EUR",
            },
        ),
        ("/payments", {"invoice_number": "F-1", "date": "2026-01-01", "amount": "1.00", "reference": "R"}),
        ("/invoices/F-1/holds", {"reason": "dispute", "until": "2999-01-01"}),
        ("/invoices/F-2/release", None),
        ("/messages/{waiting}/approve", None),
        ("/messages/{queued}/skip", None),
    ],
)
def test_a_viewer_token_cannot_write_and_nothing_changes(
    viewer_api: ApiClient, ledger: dict[str, Any], path: str, body: Any
) -> None:
    before = _state()
    path = path.format(waiting=ledger["waiting"].pk, queued=ledger["queued"].pk)
    response = viewer_api.call("post", path, body)
    assert response.status_code == 403
    assert "viewer" in response.json()["detail"]
    assert _state() == before


def _state() -> tuple[Any, ...]:
    return (
        list(Customer.objects.order_by("pk").values_list("external_id", "excluded", "name")),
        Invoice.objects.count(),
        list(Hold.objects.order_by("pk").values_list("released_on", flat=True)),
        list(Message.objects.order_by("pk").values_list("status", flat=True)),
    )


def test_a_collector_token_writes(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    response = collector_api.call("post", "/customers/C1/exclude", {"reason": "bankrupt"})
    assert response.status_code == 200
    assert Customer.objects.get(external_id="C1").excluded


def test_a_token_sees_only_its_own_workspace(
    api_as: Callable[..., ApiClient],
    other_workspace: Workspace,
    ledger: dict[str, Any],
    other_ledger: dict[str, Any],
) -> None:
    """Globex has its own C1 and F-1 (same keys as Acme's) and G-9, which Acme does not have."""
    globex = api_as("admin", other_workspace)
    customers = globex.get("/api/customers").json()
    assert [c["name"] for c in customers["items"]] == ["Globex client"]
    invoices = globex.get("/api/invoices").json()
    assert sorted(i["number"] for i in invoices["items"]) == ["F-1", "G-9"]
    assert globex.get("/api/payments").json()["count"] == 0
    assert globex.get("/api/holds").json()["count"] == 0
    assert [m["id"] for m in globex.get("/api/messages").json()["items"]] == [other_ledger["message"].pk]
    assert globex.get("/api/customers/C2").status_code == 404
    assert globex.get("/api/invoices/F-2").status_code == 404
    assert globex.get("/api/customers/C1").json()["name"] == "Globex client"
    assert globex.get("/api/invoices/F-1").json()["amount"] == "1200.00"


def test_another_workspaces_objects_are_404_and_are_not_touched(
    collector_api: ApiClient, ledger: dict[str, Any], other_ledger: dict[str, Any]
) -> None:
    """Acme's collector token, against Globex's ids and keys that Acme does not have."""
    message = other_ledger["message"]
    assert collector_api.get("/api/invoices/G-9").status_code == 404
    assert collector_api.get("/api/invoices/G-9/holds").status_code == 404
    assert (
        collector_api.call(
            "post", "/invoices/G-9/holds", {"reason": "dispute", "until": "2999-01-01"}
        ).status_code
        == 404
    )
    assert collector_api.call("post", "/invoices/G-9/release").status_code == 404
    assert collector_api.get(f"/api/messages/{message.pk}").status_code == 404
    assert collector_api.call("post", f"/messages/{message.pk}/approve").status_code == 404
    assert collector_api.call("post", f"/messages/{message.pk}/skip").status_code == 404
    paying = {"invoice_number": "G-9", "date": "2026-01-05", "amount": "10.00", "reference": "X"}
    response = collector_api.call("post", "/payments", paying)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "invoice_number"
    message.refresh_from_db()
    assert message.status == Message.AWAITING_APPROVAL
    assert not Hold.objects.filter(invoice__number="G-9").exists()
    assert message.pk not in [m["id"] for m in collector_api.get("/api/approvals").json()["items"]]
    # Acme's own C1 was excluded, not Globex's.
    collector_api.call("post", "/customers/C1/exclude", {"reason": "x"})
    assert not other_ledger["c1"].__class__.objects.get(pk=other_ledger["c1"].pk).excluded


def test_last_use_is_recorded_at_most_once_a_minute(workspace: Workspace, ledger: dict[str, Any]) -> None:
    issued = do_issue_token(workspace, "ERP", "viewer", None)
    client = ApiClient(issued.secret)
    client.get("/api/customers")
    first = ApiToken.objects.get(pk=issued.token.pk).last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/customers")
        client.get("/api/invoices")
    assert not [
        q for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "apitoken" in q["sql"]
    ]
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == first
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/customers")
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at > first - timedelta(minutes=1)


def test_the_openapi_document_and_the_docs_need_no_token() -> None:
    document = Client().get("/api/openapi.json").json()
    assert document["info"]["title"] == "Relance API"
    assert document["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert "/api/customers/{customer_id}" in document["paths"]
    assert Client().get("/api/docs").status_code == 200


def test_a_token_needs_no_csrf_token(workspace: Workspace, ledger: dict[str, Any]) -> None:
    """API clients send no cookie: Django's CSRF protection does not apply to bearer-token requests."""
    secret = do_issue_token(workspace, "ERP", "collector", None).secret
    client = ApiClient(secret, enforce_csrf_checks=True)
    assert client.call("post", "/customers/C1/exclude", {"reason": "x"}).status_code == 200
