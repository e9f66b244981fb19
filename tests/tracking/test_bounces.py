"""Recording bounces and complaints: events, undeliverable customers, tasks, VERP, the commands, smtpd."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from relance.dunning.models import Task
from relance.mail.models import Message
from relance.mail.sink import BoundController
from relance.tracking.bounces import bounce_address, do_record_bounce, message_from_bounce_address
from relance.tracking.management.commands.smtpd import BounceHandler
from relance.tracking.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


def sent_message(customer: Any, message_id: str = "<relance.abc123@acme.example>", **fields: Any) -> Message:
    return f.sent_message(customer, message_id, **fields)


def dsn(
    status: str = "5.1.1",
    diagnostic: str = "550 5.1.1 User unknown",
    recipient: str = "c1@client.example",
    original_id: str | None = "<relance.abc123@acme.example>",
    bounce_id: str = "<bounce.1@mx.client.example>",
    to: str = "marie@acme.example",
) -> bytes:
    original = f"Message-ID: {original_id}\n" if original_id else ""
    return f"""\
From: Mail Delivery System <MAILER-DAEMON@mx.client.example>
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-ID: {bounce_id}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.client.example

Final-Recipient: rfc822; {recipient}
Action: failed
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--B
Content-Type: text/rfc822-headers

{original}From: marie@acme.example
To: {recipient}
Subject: Facture F-1 en retard

--B--
""".encode()


ARF = b"""\
From: feedback@isp.example
To: abuse@acme.example
Subject: Complaint
Message-ID: <arf.1@isp.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F"

--F
Content-Type: text/plain

An abuse report.

--F
Content-Type: message/feedback-report

Feedback-Type: abuse
Version: 1
Original-Rcpt-To: c1@client.example

--F
Content-Type: message/rfc822

Message-ID: <relance.abc123@acme.example>
From: marie@acme.example
To: c1@client.example
Subject: Facture F-1 en retard

Bonjour
--F--
"""


def test_a_hard_bounce_marks_the_customer_undeliverable_and_opens_a_task(workspace: Any) -> None:
    customer = f.customer(workspace)
    message = sent_message(customer)
    event = do_record_bounce(dsn(), NOW, "imap")
    assert event is not None
    assert (event.kind, event.bounce_kind, event.status_code) == (Event.BOUNCED, "hard", "5.1.1")
    assert (event.message, event.customer, event.recipient) == (message, customer, "c1@client.example")
    assert event.external_id == "<bounce.1@mx.client.example>"
    customer.refresh_from_db()
    assert customer.undeliverable
    task = Task.objects.get(customer=customer, kind="bounce", status=Task.OPEN)
    assert "c1@client.example" in task.title


def test_the_same_bounce_twice_is_recorded_once(workspace: Any) -> None:
    sent_message(f.customer(workspace))
    first = do_record_bounce(dsn(), NOW, "imap")
    again = do_record_bounce(dsn(), NOW, "imap")
    assert first is not None and again is not None and first.pk == again.pk
    assert Event.objects.count() == 1
    assert Task.objects.count() == 1


def test_a_soft_bounce_is_an_event_only(workspace: Any) -> None:
    customer = f.customer(workspace)
    sent_message(customer)
    event = do_record_bounce(dsn("5.2.2", "552 5.2.2 Mailbox full"), NOW, "imap")
    assert event is not None and event.bounce_kind == "soft"
    customer.refresh_from_db()
    assert not customer.undeliverable
    assert not Task.objects.exists()


def test_a_complaint_stops_email_to_the_customer(workspace: Any) -> None:
    customer = f.customer(workspace)
    sent_message(customer)
    event = do_record_bounce(ARF, NOW, "imap")
    assert event is not None and event.kind == Event.COMPLAINED
    customer.refresh_from_db()
    assert customer.complained and not customer.undeliverable


def test_an_auto_reply_records_nothing(workspace: Any) -> None:
    sent_message(f.customer(workspace))
    raw = (
        b"From: c1@client.example\nTo: marie@acme.example\n"
        b"Auto-Submitted: auto-replied\nSubject: Absent\n\nx\n"
    )
    assert do_record_bounce(raw, NOW, "imap") is None
    assert not Event.objects.exists()


def test_without_message_id_the_latest_message_to_the_recipient_is_chosen(workspace: Any) -> None:
    customer = f.customer(workspace)
    sent_message(
        customer, "<old@acme.example>", run_date=date(2026, 2, 1), sent_at=datetime(2026, 2, 1, tzinfo=UTC)
    )
    latest = sent_message(customer, "<new@acme.example>")
    event = do_record_bounce(dsn(original_id=None), NOW, "imap")
    assert event is not None and event.message == latest


def test_a_bounce_for_no_message_of_ours_is_ignored(workspace: Any) -> None:
    assert do_record_bounce(dsn(recipient="stranger@else.example", original_id=None), NOW, "imap") is None


def test_the_signed_bounce_address_names_the_message(workspace: Any, monkeypatch: Any) -> None:
    message = sent_message(f.customer(workspace))
    monkeypatch.delenv("RELANCE_BOUNCE_DOMAIN", raising=False)
    assert bounce_address(message) is None
    monkeypatch.setenv("RELANCE_BOUNCE_DOMAIN", "bounces.acme.example")
    address = bounce_address(message)
    assert address is not None and address.startswith(f"bounces+{message.pk}.")
    assert address.endswith("@bounces.acme.example")
    assert message_from_bounce_address(address) == message.pk
    assert message_from_bounce_address(address.upper()) == message.pk  # a server may change the case
    local, domain = address.split("@")
    tampered = f"bounces+{message.pk + 1}.{local.split('.')[1]}@{domain}"
    assert message_from_bounce_address(tampered) is None
    assert message_from_bounce_address("marie@acme.example") is None


def test_a_bounce_to_the_signed_address_finds_the_message_without_headers(
    workspace: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("RELANCE_BOUNCE_DOMAIN", "bounces.acme.example")
    customer = f.customer(workspace)
    message = sent_message(customer)
    sent_message(customer, "<later@acme.example>", run_date=date(2026, 3, 10))  # latest: not the one
    address = bounce_address(message)
    assert address is not None
    event = do_record_bounce(dsn(original_id=None, to=address), NOW, "imap")
    assert event is not None and event.message == message


def test_bounce_classify_prints_the_verdict(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "b.eml"
    path.write_bytes(dsn())
    call_command("bounce", "classify", str(path), "--json")
    out = capsys.readouterr().out
    assert '"kind": "hard"' in out and '"status": "5.1.1"' in out and "c1@client.example" in out
    call_command("bounce", "classify", str(path))
    assert "kind: hard" in capsys.readouterr().out


def test_bounce_classify_of_an_unreadable_file_exits_2(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        call_command("bounce", "classify", str(tmp_path / "missing.eml"))
    assert exc.value.code == 2


@pytest.fixture
def bounce_server() -> Iterator[BoundController]:
    controller = BoundController(BounceHandler(), hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop(no_assert=True)


@pytest.mark.django_db(transaction=True)
def test_smtpd_records_a_dsn_and_answers_250(workspace: Any, bounce_server: BoundController) -> None:
    customer = f.customer(workspace)
    sent_message(customer)
    with smtplib.SMTP("127.0.0.1", bounce_server.port, timeout=5) as client:
        refused = client.sendmail("", ["anything@bounces.acme.example"], dsn())
        assert refused == {}
    deadline = time.monotonic() + 5
    while not Event.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    event = Event.objects.get()
    assert (event.source, event.bounce_kind) == ("smtpd", "hard")
    customer.refresh_from_db()
    assert customer.undeliverable
