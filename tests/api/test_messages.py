"""The outbox through the API: list and filters, one message in full, the approval queue, approve, skip."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from relance.mail.models import Message, MessageItem
from relance.mail.outbox import invoice_numbers, message_json
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def ids(client: ApiClient, path: str = "/api/messages", **query: Any) -> list[int]:
    response = client.get(path, query)
    assert response.status_code == 200, response.content
    return [m["id"] for m in response.json()["items"]]


def test_a_listed_message_is_what_relance_messages_json_shows(
    viewer_api: ApiClient, ledger: dict[str, Any]
) -> None:
    sent = ledger["sent"]
    listed = {m["id"]: m for m in viewer_api.get("/api/messages").json()["items"]}
    cli = message_json(sent, "C1", invoice_numbers([sent])[sent.pk])
    assert {k: listed[sent.pk][k] for k in cli} == cli
    assert listed[sent.pk]["from"] == "Marie Dupont <marie@acme.example>"
    assert listed[sent.pk]["total_due"] == "1200.00"


def test_list_newest_first_with_filters(viewer_api: ApiClient, ledger: dict[str, Any], today: date) -> None:
    sent, waiting, queued = ledger["sent"].pk, ledger["waiting"].pk, ledger["queued"].pk
    assert ids(viewer_api) == [queued, waiting, sent]
    assert ids(viewer_api, status="sent") == [sent]
    assert ids(viewer_api, stage="final") == [waiting]
    assert ids(viewer_api, customer="C2") == [queued]
    assert ids(viewer_api, run_from=today.isoformat()) == [queued, waiting]
    assert ids(viewer_api, run_to=(today - timedelta(days=1)).isoformat()) == [sent]
    assert viewer_api.get("/api/messages", {"status": "lost"}).status_code == 422


def test_one_message_in_full(viewer_api: ApiClient, ledger: dict[str, Any]) -> None:
    body = viewer_api.get(f"/api/messages/{ledger['sent'].pk}").json()
    assert body["headers"] == {
        "Message-ID": "<m1@acme.example>",
        "From": "Marie Dupont <marie@acme.example>",
        "To": "c1@client.example",
        "Reply-To": "compta@acme.example",
        "Subject": "Facture F-1 en retard",
    }
    assert (body["text_body"], body["html_body"]) == ("Bonjour", "<p>Bonjour</p>")
    assert body["items"] == [
        {"invoice_number": "F-1", "stage": "first", "step_index": 1, "outstanding": "1000.00"}
    ]
    assert [e["kind"] for e in body["events"]] == ["opened"]
    assert viewer_api.get("/api/messages/999999").status_code == 404


def test_the_approval_queue_holds_only_messages_awaiting_approval(
    viewer_api: ApiClient, ledger: dict[str, Any]
) -> None:
    assert ids(viewer_api, "/api/approvals") == [ledger["waiting"].pk]


def test_approve_queues_the_message_and_says_why_it_was_not_sent(
    collector_api: ApiClient, ledger: dict[str, Any]
) -> None:
    waiting = ledger["waiting"]
    response = collector_api.call("post", f"/messages/{waiting.pk}/approve")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "queued"
    assert body["approved_at"]
    assert "EMAIL_URL" in body["delivery_problem"]  # no SMTP server in the tests: it stays queued
    waiting.refresh_from_db()
    assert (waiting.status, waiting.approved_at is not None) == (Message.QUEUED, True)
    assert ids(collector_api, "/api/approvals") == []


def test_approving_a_message_not_awaiting_approval_is_a_conflict(
    collector_api: ApiClient, ledger: dict[str, Any]
) -> None:
    response = collector_api.call("post", f"/messages/{ledger['sent'].pk}/approve")
    assert response.status_code == 409
    assert response.json()["detail"] == f"message #{ledger['sent'].pk} is sent, not awaiting approval"
    ledger["sent"].refresh_from_db()
    assert ledger["sent"].approved_at is None


def test_skip_cancels_with_the_reason_and_frees_the_stages(
    collector_api: ApiClient, ledger: dict[str, Any]
) -> None:
    waiting = ledger["waiting"]
    response = collector_api.call("post", f"/messages/{waiting.pk}/skip", {"reason": "called them instead"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["last_error"]) == ("cancelled", "called them instead")
    waiting.refresh_from_db()
    assert waiting.status == Message.CANCELLED
    assert not MessageItem.objects.filter(message=waiting).exists()


def test_skip_without_a_reason(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    response = collector_api.call("post", f"/messages/{ledger['queued'].pk}/skip")
    assert response.json()["last_error"] == "skipped through the API"


def test_a_sent_message_cannot_be_skipped(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    response = collector_api.call("post", f"/messages/{ledger['sent'].pk}/skip")
    assert response.status_code == 409
    ledger["sent"].refresh_from_db()
    assert ledger["sent"].status == Message.SENT
