"""The web's actions on one customer (relance.ledger.actions_web) and "send the next reminder now"
(relance.dunning.actions_now), without the pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from relance.accounts.models import Workspace
from relance.dunning.actions import do_run, plan_day
from relance.dunning.actions_now import ALREADY, do_send_next_now, plan_customer_today
from relance.engine.errors import InvalidInput
from relance.ledger.actions_web import (
    do_add_note,
    do_change_contact,
    do_log_call,
    do_record_payment,
)
from relance.ledger.models import CustomerNote, Hold, Invoice, Payment
from relance.mail.models import Message, MessageItem
from relance.tracking.models import Attribution
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def other_workspace(db):  # type: ignore[no-untyped-def]
    return Workspace.objects.create(slug="globex", name="Globex", sender="Hank <hank@globex.example>")


# --- Payments


def test_a_payment_without_reference_gets_one_made_from_its_date(workspace):
    inv = f.invoice(f.customer(workspace), "F-1", days(-10), amount="900.00")
    first = do_record_payment(workspace, inv, amount=Decimal("100"), on=days(-1), today=TODAY)
    second = do_record_payment(workspace, inv, amount=Decimal("100"), on=days(-1), today=TODAY)
    third = do_record_payment(workspace, inv, amount=Decimal("100"), on=days(-1), today=TODAY)
    assert [first.reference, second.reference, third.reference] == [
        "manual-2026-03-09",
        "manual-2026-03-09-2",
        "manual-2026-03-09-3",
    ]


def test_the_whole_outstanding_can_be_paid_but_not_a_cent_more(workspace):
    inv = f.invoice(f.customer(workspace), "F-1", days(-10), amount="900.00")
    f.pay(inv, days(-3), amount="400.00")
    with pytest.raises(InvalidInput, match=r"500\.00"):
        do_record_payment(workspace, inv, amount=Decimal("500.01"), on=TODAY, today=TODAY)
    do_record_payment(workspace, inv, amount=Decimal("500.00"), on=TODAY, today=TODAY)
    assert sum(p.amount for p in Payment.objects.all()) == Decimal("900.00")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"amount": Decimal("0")}, "more than zero"),
        ({"on": days(1)}, "in the future"),
        ({"on": days(-100)}, "before the invoice was issued"),
    ],
)
def test_a_bad_payment_raises_and_writes_nothing(workspace, change, error):
    inv = f.invoice(f.customer(workspace), "F-1", days(-10))
    values = {"amount": Decimal("10"), "on": TODAY, "today": TODAY, **change}
    with pytest.raises(InvalidInput, match=error):
        do_record_payment(workspace, inv, **values)
    assert not Payment.objects.exists()


def test_a_void_invoice_takes_no_payment(workspace):
    inv = f.invoice(f.customer(workspace), "F-1", days(-10), status=Invoice.VOID)
    with pytest.raises(InvalidInput, match="void"):
        do_record_payment(workspace, inv, amount=Decimal("10"), on=TODAY, today=TODAY)


def test_an_invoice_of_another_workspace_takes_no_payment(workspace, other_workspace):
    theirs = f.invoice(f.customer(other_workspace, "X"), "X-1", days(-10))
    with pytest.raises(Invoice.DoesNotExist):
        do_record_payment(workspace, theirs, amount=Decimal("10"), on=TODAY, today=TODAY)
    assert not Payment.objects.exists()


def test_a_payment_is_credited_to_the_latest_delivered_reminder_before_it(workspace):
    alice = f.customer(workspace)
    inv = f.invoice(alice, "F-1", days(-30))
    older = f.sent_message(alice, message_id="<old@x>", run_date=days(-12))
    newer = f.sent_message(alice, message_id="<new@x>", run_date=days(-4))
    for msg, stage in ((older, "first"), (newer, "second")):
        MessageItem.objects.create(
            message=msg, invoice=inv, stage=stage, step_index=1, outstanding=inv.amount
        )
    payment = do_record_payment(workspace, inv, amount=Decimal("100"), on=days(-1), today=TODAY)
    credit = Attribution.objects.get(payment=payment)
    assert (credit.message, credit.days_after) == (newer, 3)


# --- Calls, notes, contact


def test_a_promise_holds_only_the_invoices_still_owed_through_the_promised_day(workspace):
    alice = f.customer(workspace)
    owed = f.invoice(alice, "F-1", days(-10))
    paid = f.invoice(alice, "F-2", days(-10))
    f.pay(paid, days(-1))
    f.invoice(alice, "F-3", days(-10), status=Invoice.VOID)
    call, holds = do_log_call(workspace, alice, "Will pay", today=TODAY, promise_date=days(4))
    assert [h.invoice for h in holds] == [owed]
    assert (holds[0].start, holds[0].until, holds[0].reason) == (TODAY, days(5), Hold.PROMISE)
    assert call.promise_date == days(4)


def test_a_promise_in_the_past_or_without_anything_owed_is_refused(workspace):
    alice = f.customer(workspace)
    with pytest.raises(InvalidInput, match="no open invoice"):
        do_log_call(workspace, alice, "Will pay", today=TODAY, promise_date=days(2))
    f.invoice(alice, "F-1", days(-10))
    with pytest.raises(InvalidInput, match="already passed"):
        do_log_call(workspace, alice, "Will pay", today=TODAY, promise_date=days(-1))
    assert not CustomerNote.objects.exists() and not Hold.objects.exists()


def test_a_call_cannot_hold_another_customers_invoice(workspace):
    alice, bob = f.customer(workspace, "A"), f.customer(workspace, "B")
    theirs = f.invoice(bob, "B-1", days(-10))
    with pytest.raises(InvalidInput, match="another customer"):
        do_log_call(workspace, alice, "x", today=TODAY, promise_date=days(2), invoices=[theirs])


def test_notes_are_refused_when_empty_or_for_another_workspace(workspace, other_workspace):
    with pytest.raises(InvalidInput, match="empty"):
        do_add_note(workspace, f.customer(workspace), "   ")
    with pytest.raises(InvalidInput, match="not in workspace"):
        do_add_note(workspace, f.customer(other_workspace, "X"), "hello")


def test_a_new_contact_name_alone_keeps_the_pending_messages(workspace):
    alice = f.customer(workspace, contact_name="Old", email="ap@client.example")
    pending = f.sent_message(alice, status=Message.QUEUED, sent_at=None)
    note = do_change_contact(workspace, alice, contact_name="New", email="AP@client.example")
    assert note is not None and "Old" in note.text
    pending.refresh_from_db()
    assert pending.status == Message.QUEUED
    assert do_change_contact(workspace, alice, contact_name="New", email="AP@client.example") is None


def test_a_bad_address_is_refused(workspace):
    with pytest.raises(InvalidInput, match="not an e-mail address"):
        do_change_contact(workspace, f.customer(workspace), contact_name="X", email="nope")


# --- Send the next reminder now


@pytest.fixture
def ledger(workspace):
    """Several customers in several situations, so that one customer's plan is compared to the whole run's."""
    f.policy(workspace)
    plain = f.customer(workspace, "PLAIN")
    f.invoice(plain, "P-1", days(-5))
    f.invoice(plain, "P-2", days(-16))
    f.invoice(plain, "P-3", days(4))  # its courtesy (pre-due) step is due today too
    partly = f.customer(workspace, "PARTLY")
    inv = f.invoice(partly, "Q-1", days(-31), amount="1000.00")
    f.pay(inv, days(-2), amount="600.00")
    reached = f.customer(workspace, "REACHED")
    old = f.invoice(reached, "R-1", days(-20))
    msg = f.sent_message(reached, message_id="<r@x>", run_date=days(-14))
    MessageItem.objects.create(message=msg, invoice=old, stage="first", step_index=1, outstanding=old.amount)
    held = f.customer(workspace, "HELD")
    f.hold(f.invoice(held, "H-1", days(-10)), days(-1), days(3))
    f.invoice(f.customer(workspace, "EXCLUDED", excluded=True), "E-1", days(-10))
    f.invoice(f.customer(workspace, "PREDUE"), "D-1", days(5))
    return workspace


@pytest.mark.parametrize("key", ["PLAIN", "PARTLY", "REACHED", "HELD", "EXCLUDED", "PREDUE"])
def test_one_customers_plan_is_exactly_what_the_daily_run_plans_for_them(ledger, key):
    customer = ledger.customers.get(external_id=key)
    from_run = [p for p in plan_day(ledger, TODAY) if p.customer_key == customer.pk]
    alone, _state = plan_customer_today(ledger, customer, TODAY)
    assert from_run == ([alone] if alone is not None else [])


def test_after_send_now_the_daily_run_writes_nothing_more_for_that_customer(ledger):
    plain = ledger.customers.get(external_id="PLAIN")
    result = do_send_next_now(ledger, plain, TODAY, NOW)
    # P-2 is 16 days late but never had the first reminder: stages are never skipped.
    assert result.message is not None and result.message.stage == "first"
    assert sorted(i.invoice.number for i in result.message.items.all()) == ["P-1", "P-2", "P-3"]
    do_run(ledger, TODAY, NOW, backfill=False)
    assert Message.objects.filter(customer=plain).count() == 1
    assert Message.objects.exclude(customer=plain).count() >= 1  # the others got theirs


def test_after_the_daily_run_send_now_finds_todays_message(ledger):
    do_run(ledger, TODAY, NOW, backfill=False)
    plain = ledger.customers.get(external_id="PLAIN")
    result = do_send_next_now(ledger, plain, TODAY, NOW)
    assert result.reason == ALREADY and result.existing is not None and result.message is None
    assert Message.objects.filter(customer=plain).count() == 1


def test_send_now_cancels_a_stale_queued_message_first(ledger):
    plain = ledger.customers.get(external_id="PLAIN")
    stale = f.sent_message(plain, message_id="<stale@x>", status=Message.QUEUED, sent_at=None, run_date=TODAY)
    paid = f.invoice(plain, "P-9", days(-30))
    MessageItem.objects.create(
        message=stale, invoice=paid, stage="first", step_index=1, outstanding=paid.amount
    )
    f.pay(paid, days(-1))
    result = do_send_next_now(ledger, plain, TODAY, NOW)
    stale.refresh_from_db()
    assert stale.status == Message.CANCELLED
    assert result.message is not None and result.message.run_date == TODAY
