"""The outbox list and a message's page: headers, invoices, what came back, and the sandboxed preview."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from relance.mail.models import Message, MessageItem
from relance.tracking.models import Attribution, Event, Reply
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def text(response) -> str:
    return response.content.decode()


def message(owner, n: int, **fields):
    values = {
        "message_id": f"<m{n}@acme.example>",
        "subject": f"Subject {n:03d}",
        "run_date": date(2026, 3, 1),
    }
    values.update(fields)
    return f.sent_message(owner, **values)


def event(msg, kind: str, at: datetime, **fields) -> Event:
    return Event.objects.create(
        workspace=msg.workspace,
        message=msg,
        customer=msg.customer,
        kind=kind,
        occurred_at=at,
        source="test",
        **fields,
    )


@pytest.fixture
def outbox(workspace):
    alice = f.customer(workspace, "ALICE", name="Alice SARL", email="alice@client.example")
    bob = f.customer(workspace, "BOB", name="Bob Ltd", email="bob@client.example")
    sent = message(alice, 1, subject="Facture F-1 en retard", stage="first", run_date=date(2026, 3, 2))
    event(sent, Event.DELIVERED, datetime(2026, 3, 2, 9, 1, tzinfo=UTC))
    event(sent, Event.OPENED, datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    message(
        bob,
        2,
        subject="Final notice",
        stage="final",
        status=Message.AWAITING_APPROVAL,
        sent_at=None,
        run_date=date(2026, 3, 9),
    )
    failed = message(
        bob,
        3,
        subject="Second reminder",
        stage="second",
        status=Message.FAILED,
        sent_at=None,
        run_date=date(2026, 2, 20),
        attempts=5,
        last_error="550 5.1.1 mailbox unavailable",
    )
    event(
        failed,
        Event.BOUNCED,
        datetime(2026, 2, 20, 9, 0, tzinfo=UTC),
        bounce_kind="hard",
        status_code="5.1.1",
    )
    return alice, bob


SUBJECTS = ["Facture F-1 en retard", "Final notice", "Second reminder"]


def subjects_in(body: str) -> list[str]:
    return sorted((s for s in SUBJECTS if s in body), key=body.index)


def test_the_outbox_lists_messages_newest_first_with_their_last_event(viewer_client, outbox):
    body = text(viewer_client.get("/messages/"))
    assert subjects_in(body) == ["Final notice", "Facture F-1 en retard", "Second reminder"]
    assert "opened" in body and "bounced" in body and "awaiting approval" in body and "failed" in body
    assert "alice@client.example" in body and "Alice SARL" in body
    assert "3 messages" in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "awaiting_approval"}, ["Final notice"]),
        ({"status": "failed"}, ["Second reminder"]),
        ({"stage": "first"}, ["Facture F-1 en retard"]),
        ({"q": "bob@client"}, ["Final notice", "Second reminder"]),
        ({"q": "facture"}, ["Facture F-1 en retard"]),
        ({"start": "2026-03-01", "end": "2026-03-05"}, ["Facture F-1 en retard"]),
        ({"end": "2026-02-28"}, ["Second reminder"]),
    ],
)
def test_filters_and_search(viewer_client, outbox, params, expected):
    assert subjects_in(text(viewer_client.get("/messages/", params))) == expected


def test_a_period_that_ends_before_it_starts_says_so(viewer_client, outbox):
    body = text(viewer_client.get("/messages/", {"start": "2026-03-05", "end": "2026-03-01"}))
    assert "The end of the period is before its start." in body


def test_the_customer_filter(viewer_client, outbox):
    alice, _bob = outbox
    body = text(viewer_client.get("/messages/", {"customer": alice.pk}))
    assert subjects_in(body) == ["Facture F-1 en retard"] and "Messages to" in body


def test_the_outbox_never_shows_another_workspaces_messages(viewer_client, workspace, other_workspace):
    message(f.customer(workspace, "MINE"), 1, subject="Mine subject")
    message(f.customer(other_workspace, "THEIRS"), 2, subject="Theirs subject")
    body = text(viewer_client.get("/messages/"))
    assert "Mine subject" in body and "Theirs subject" not in body


def test_pages_of_fifty_and_live_filtering(viewer_client, workspace):
    owner = f.customer(workspace, "C")
    for n in range(60):
        message(owner, n, run_date=date(2026, 1, 1) + timedelta(days=n))
    body = text(viewer_client.get("/messages/"))
    assert "Subject 059" in body and "Subject 009" not in body and "Page 1 of 2" in body
    partial = text(viewer_client.get("/messages/", {"q": "Subject 00"}, headers={"HX-Request": "true"}))
    assert "Subject 001" in partial and "<html" not in partial


def test_the_list_costs_the_same_few_queries_whatever_the_number_of_messages(
    viewer_client, workspace, django_assert_max_num_queries
):
    owner = f.customer(workspace, "C")
    for n in range(40):
        event(message(owner, n, run_date=date(2026, 1, 1) + timedelta(days=n)), Event.OPENED, NOW)
    viewer_client.get("/messages/")
    with django_assert_max_num_queries(9):
        assert viewer_client.get("/messages/", {"status": "sent"}).status_code == 200


# --- A message ----------------------------------------------------------------------------------------------


def test_the_page_shows_headers_invoices_events_replies_and_credited_payments(viewer_client, workspace):
    alice = f.customer(workspace, "ALICE", name="Alice SARL")
    inv = f.invoice(alice, "F-1", date(2026, 2, 20), amount="1200.00")
    msg = message(alice, 1, subject="Facture F-1 en retard", attempts=2, last_error="421 try later")
    MessageItem.objects.create(
        message=msg, invoice=inv, stage="first", step_index=1, outstanding=Decimal("1200.00")
    )
    event(msg, Event.CLICKED, datetime(2026, 3, 3, 9, 0, tzinfo=UTC), url="https://pay.example/F-1")
    Reply.objects.create(
        workspace=workspace,
        message=msg,
        customer=alice,
        header_message_id="<r1@client.example>",
        from_address="alice@client.example",
        subject="Re: Facture",
        text="Paid this morning.",
        received_at=datetime(2026, 3, 4, 9, 0, tzinfo=UTC),
    )
    Attribution.objects.create(payment=f.pay(inv, date(2026, 3, 5)), message=msg, days_after=3)
    response = viewer_client.get(f"/messages/{msg.pk}/")
    body = text(response)
    assert response.status_code == 200
    for needle in (
        "Marie Dupont &lt;marie@acme.example&gt;",
        "alice@client.example",
        "compta@acme.example",
        "Facture F-1 en retard",
        "421 try later",
        f"/invoices/{inv.pk}/",
        "clicked",
        "https://pay.example/F-1",
        "Paid this morning.",
        "3 days after",
    ):
        assert needle in body, needle
    assert f'<iframe class="preview" sandbox src="/messages/{msg.pk}/preview/"' in body


def test_the_text_tab_shows_the_text_body(viewer_client, workspace):
    msg = message(f.customer(workspace, "ALICE"), 1, text_body="Bonjour Camille,\nla facture F-1…")
    body = text(viewer_client.get(f"/messages/{msg.pk}/", {"tab": "text"}))
    assert "Bonjour Camille," in body and "<iframe" not in body


def test_a_message_awaiting_approval_links_to_the_approval_queue(viewer_client, workspace):
    msg = message(f.customer(workspace, "ALICE"), 1, status=Message.AWAITING_APPROVAL, sent_at=None)
    assert 'href="/approvals/"' in text(viewer_client.get(f"/messages/{msg.pk}/"))


def test_the_preview_serves_the_stored_html_without_scripts_and_framable_only_here(viewer_client, workspace):
    msg = message(f.customer(workspace, "ALICE"), 1, html_body="<p>Bonjour</p><script>alert(1)</script>")
    response = viewer_client.get(f"/messages/{msg.pk}/preview/")
    assert response.status_code == 200
    assert (
        text(response) == "<p>Bonjour</p><script>alert(1)</script>"
    )  # exactly as sent; the CSP stops the script
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'self'" in csp
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Content-Type"].startswith("text/html")


def test_another_workspaces_message_and_preview_are_not_found(viewer_client, other_workspace):
    theirs = message(f.customer(other_workspace, "X"), 1)
    assert viewer_client.get(f"/messages/{theirs.pk}/").status_code == 404
    assert viewer_client.get(f"/messages/{theirs.pk}/preview/").status_code == 404


def test_the_pages_need_a_login(client, workspace):
    msg = message(f.customer(workspace, "ALICE"), 1)
    for path in ("/messages/", f"/messages/{msg.pk}/", f"/messages/{msg.pk}/preview/"):
        assert client.get(path).status_code == 302


def test_the_page_costs_a_bounded_number_of_queries(viewer_client, workspace, django_assert_max_num_queries):
    alice = f.customer(workspace, "ALICE")
    msg = message(alice, 1)
    for n in range(20):
        inv = f.invoice(alice, f"F-{n}", date(2026, 2, 1))
        MessageItem.objects.create(
            message=msg, invoice=inv, stage="first", step_index=1, outstanding=inv.amount
        )
        event(msg, Event.OPENED, NOW)
        Attribution.objects.create(payment=f.pay(inv, date(2026, 3, 5)), message=msg, days_after=3)
    viewer_client.get(f"/messages/{msg.pk}/")
    with django_assert_max_num_queries(10):
        assert viewer_client.get(f"/messages/{msg.pk}/").status_code == 200
