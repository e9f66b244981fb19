"""Sending the outbox to real SMTP servers on loopback: delivered once, retried, refused, cancelled."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import override_settings

from relance.dunning.actions import do_run
from relance.dunning.models import Task
from relance.mail.delivery import deliver_now
from relance.mail.models import Message
from relance.mail.sending import dispatch, smtp_factory
from relance.mail.transport import MemoryTransport, SMTPConfig, SMTPTransport, TransientError
from tests import factories as f

DUE = date(2026, 3, 2)
DAY = DUE + timedelta(days=5)
NOW = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


@pytest.fixture
def queued(workspace):  # type: ignore[no-untyped-def]
    f.policy(workspace)
    alice = f.customer(workspace, "ALICE")
    f.invoice(alice, "A-1", DUE)
    do_run(workspace, DAY, NOW, backfill=True)
    return Message.objects.get()


def factory_for(server):  # type: ignore[no-untyped-def]
    config = SMTPConfig.from_url(server.url)
    return lambda: SMTPTransport(config)


def test_message_is_delivered_once_with_its_headers(queued, smtp_server):
    report = dispatch(NOW, factory_for(smtp_server))
    assert report.sent == 1
    [received] = smtp_server.messages
    assert received["From"] == "Marie Dupont <marie@acme.example>"
    assert received["Reply-To"] == "compta@acme.example"
    assert received["Message-ID"] == queued.message_id
    assert received["To"] == "alice@client.example"
    assert received["Content-Language"] == "fr"
    assert received["X-Relance-Stage"] == "first"
    assert received.get_content_type() == "multipart/alternative"
    assert {part.get_content_type() for part in received.iter_parts()} == {"text/plain", "text/html"}
    queued.refresh_from_db()
    assert queued.status == Message.SENT
    assert queued.sent_at == NOW
    # A second pass finds nothing to send.
    assert dispatch(NOW, factory_for(smtp_server)).sent == 0
    assert len(smtp_server.messages) == 1


def test_temporary_refusal_is_retried_later_then_delivered(queued, smtp_flaky):
    first = dispatch(NOW, factory_for(smtp_flaky))
    assert (first.sent, first.retried) == (0, 1)
    queued.refresh_from_db()
    assert queued.status == Message.QUEUED
    assert queued.attempts == 1
    assert "421" in queued.last_error
    assert queued.not_before == NOW + timedelta(minutes=1)
    assert dispatch(NOW, factory_for(smtp_flaky)).sent == 0  # not yet due
    later = dispatch(NOW + timedelta(minutes=2), factory_for(smtp_flaky))
    assert later.sent == 1
    assert len(smtp_flaky.messages) == 1


def test_permanent_refusal_marks_the_address_undeliverable_and_opens_a_task(queued, smtp_rejecting):
    report = dispatch(NOW, factory_for(smtp_rejecting))
    assert report.failed == 1
    queued.refresh_from_db()
    assert queued.status == Message.FAILED
    assert "550" in queued.last_error
    queued.customer.refresh_from_db()
    assert queued.customer.undeliverable
    task = Task.objects.get(kind=Task.BOUNCE)
    assert "alice@client.example" in task.title
    # No more reminders to an address that refuses them.
    assert do_run(queued.workspace, DAY + timedelta(days=20), NOW, backfill=True).messages == []


def test_retries_stop_after_the_maximum_attempts(queued):
    transport = MemoryTransport()
    transport.fail(TransientError("451 try later", 451))
    moment = NOW
    with override_settings(SEND_MAX_ATTEMPTS=3):
        for _ in range(3):
            dispatch(moment, lambda: transport)
            moment += timedelta(days=1)
    queued.refresh_from_db()
    assert queued.status == Message.FAILED
    assert queued.attempts == 3
    # A person hears of it; the address itself was never refused, so it stays deliverable.
    assert "could not be sent" in Task.objects.get(kind=Task.BOUNCE).title
    queued.customer.refresh_from_db()
    assert not queued.customer.undeliverable


def test_message_whose_invoice_was_paid_after_the_run_is_cancelled_not_sent(queued, smtp_server):
    f.pay(queued.items.get().invoice, DAY + timedelta(days=1))
    report = dispatch(NOW, factory_for(smtp_server))
    assert (report.sent, report.cancelled) == (0, 1)
    assert smtp_server.messages == []
    queued.refresh_from_db()
    assert queued.status == Message.CANCELLED


def test_message_awaiting_approval_is_not_sent(queued, smtp_server):
    Message.objects.filter(pk=queued.pk).update(status=Message.AWAITING_APPROVAL)
    assert dispatch(NOW, factory_for(smtp_server)).sent == 0


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_never_send_the_same_message_twice(workspace, smtp_server):
    f.policy(workspace)
    for n in range(30):
        f.invoice(f.customer(workspace, f"K{n}"), f"INV-{n}", DUE)
    do_run(workspace, DAY, NOW, backfill=True)
    assert Message.objects.count() == 30
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            dispatch(NOW, factory_for(smtp_server))
        except BaseException as exc:
            errors.append(exc)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == len(set(ids)) == 30
    assert Message.objects.filter(status=Message.SENT).count() == 30


def test_missing_smtp_configuration_is_a_clear_error_and_messages_stay_queued(queued):
    with override_settings(EMAIL_URL=""):
        error = deliver_now(queued.workspace)
        with pytest.raises(Exception, match="EMAIL_URL is not set"):
            smtp_factory()
    assert "EMAIL_URL is not set" in error
    queued.refresh_from_db()
    assert queued.status == Message.QUEUED


def test_delivery_through_the_task_backend_sends_in_process(queued, smtp_server):
    with override_settings(EMAIL_URL=smtp_server.url):
        assert deliver_now(queued.workspace) == ""
    queued.refresh_from_db()
    assert queued.status == Message.SENT
    assert len(smtp_server.messages) == 1


def test_bounces_come_back_to_a_signed_address_naming_the_message(queued, smtp_server, monkeypatch):
    from relance.tracking.bounces import message_from_bounce_address

    monkeypatch.setenv("RELANCE_BOUNCE_DOMAIN", "bounces.acme.example")
    dispatch(NOW, factory_for(smtp_server))
    [received] = smtp_server.received
    assert received.mail_from.startswith("bounces+")
    assert received.mail_from.endswith("@bounces.acme.example")
    assert message_from_bounce_address(received.mail_from) == queued.pk
    assert "Return-Path" not in received.message  # the envelope carries it, not the headers


def test_plus_addressed_reply_to_names_the_message(queued, smtp_server):
    from relance.tracking.replies import message_pk_from_token

    with override_settings(RELANCE_REPLY_PLUS_ADDRESSING=True):
        dispatch(NOW, factory_for(smtp_server))
    [received] = smtp_server.messages
    local = received["Reply-To"].addresses[0].username
    assert local.startswith("compta+")
    assert message_pk_from_token(local.split("+", 1)[1]) == queued.pk
