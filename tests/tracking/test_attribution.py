"""Payments credited to the latest delivered reminder before them, within the workspace's window."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from relance.ledger.actions import do_import_rows
from relance.ledger.models import Customer, Invoice
from relance.mail.models import Message, MessageItem
from relance.tracking.attribution import (
    do_recompute_attribution,
    do_recompute_attribution_for_messages,
    do_recompute_workspace_attribution,
)
from relance.tracking.models import Attribution, Event
from tests import factories

pytestmark = pytest.mark.django_db

DUE = date(2025, 3, 1)

# Builders shared with test_reports.py: sent messages carrying invoices, and their events.
_ids = itertools.count(1)


def sent_message(
    customer: Customer, run_date: date, *invoices: Invoice, stage: str = "first", **fields: Any
) -> Message:
    number = next(_ids)
    outstanding = fields.pop("outstanding", None)
    message = Message.objects.create(
        workspace=customer.workspace,
        customer=customer,
        run_date=run_date,
        stage=stage,
        policy_name="default",
        policy_version=1,
        template_name=fields.pop("template_name", stage),
        template_version="abc",
        language="fr",
        from_email="marie@acme.example",
        to=customer.email,
        subject="Rappel",
        text_body="text",
        html_body="<p>text</p>",
        total_due=sum((inv.amount for inv in invoices), Decimal("0.00")),
        currency="EUR",
        status=fields.pop("status", Message.SENT),
        message_id=f"<m{number}@acme.example>",
        sent_at=fields.pop("sent_at", datetime.combine(run_date, time(9), tzinfo=UTC)),
        **fields,
    )
    for inv in invoices:
        MessageItem.objects.create(
            message=message,
            invoice=inv,
            stage=f"{stage}-{number}",
            step_index=1,
            outstanding=inv.amount if outstanding is None else outstanding,
        )
    return message


def event(message: Message, kind: str, on: date | None = None, **fields: Any) -> Event:
    when = datetime.combine(on or message.run_date, time(12), tzinfo=UTC)
    return Event.objects.create(
        workspace=message.workspace, message=message, kind=kind, occurred_at=when, source="test", **fields
    )


@pytest.fixture
def inv(workspace):
    owner = factories.customer(workspace)
    return factories.invoice(owner, "F-1", DUE)


def credits():
    return {(a.payment.reference, a.message_id, a.days_after) for a in Attribution.objects.all()}


def test_latest_delivered_reminder_within_the_window_wins(inv):
    first = sent_message(inv.customer, DUE + timedelta(days=3), inv)
    second = sent_message(inv.customer, DUE + timedelta(days=15), inv, stage="second")
    payment = factories.pay(inv, DUE + timedelta(days=20), reference="P1")
    changes = do_recompute_attribution([inv.pk])
    assert changes.created == 1
    assert credits() == {("P1", second.pk, 5)}
    assert first.attributions.count() == 0
    # Idempotent.
    again = do_recompute_attribution([inv.pk])
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert Attribution.objects.get().payment == payment


def test_window_bounds(inv, workspace):
    message = sent_message(inv.customer, DUE + timedelta(days=3), inv)
    factories.pay(inv, DUE + timedelta(days=3), amount="100.00", reference="same-day")
    factories.pay(inv, DUE + timedelta(days=17), amount="100.00", reference="day-14")
    factories.pay(inv, DUE + timedelta(days=18), amount="100.00", reference="day-15")
    factories.pay(inv, DUE + timedelta(days=2), amount="100.00", reference="before")
    do_recompute_attribution([inv.pk])
    assert credits() == {("same-day", message.pk, 0), ("day-14", message.pk, 14)}
    workspace.attribution_days = 15
    workspace.save()
    do_recompute_attribution([inv.pk])
    assert ("day-15", message.pk, 15) in credits()


def test_only_sent_messages_count(inv):
    sent_message(inv.customer, DUE + timedelta(days=3), inv, status=Message.QUEUED, sent_at=None)
    factories.pay(inv, DUE + timedelta(days=5), reference="P1")
    do_recompute_attribution([inv.pk])
    assert credits() == set()


def test_a_late_bounce_moves_the_credit_to_the_previous_delivered_reminder(inv):
    first = sent_message(inv.customer, DUE + timedelta(days=3), inv)
    second = sent_message(inv.customer, DUE + timedelta(days=10), inv, stage="second")
    factories.pay(inv, DUE + timedelta(days=12), reference="P1")
    do_recompute_attribution([inv.pk])
    assert credits() == {("P1", second.pk, 2)}
    event(second, Event.BOUNCED, bounce_kind="hard")
    changes = do_recompute_attribution_for_messages([second.pk])
    assert changes.updated == 1
    assert credits() == {("P1", first.pk, 9)}
    event(first, Event.BOUNCED, bounce_kind="hard")
    changes = do_recompute_attribution_for_messages([first.pk])
    assert changes.deleted == 1
    assert credits() == set()


def test_a_payments_import_credits_late_imported_payments(inv, workspace):
    message = sent_message(inv.customer, DUE + timedelta(days=3), inv)
    rows = [{"invoice_number": "F-1", "date": "2025-03-09", "amount": "1200.00", "reference": "BANK-1"}]
    dry = do_import_rows(workspace, "payments", rows, "bank", dry_run=True)
    assert dry.ok and not Attribution.objects.exists()
    report = do_import_rows(workspace, "payments", rows, "bank")
    assert report.ok and report.created == 1
    assert credits() == {("BANK-1", message.pk, 5)}
    # The bank corrects the date: the credit follows (the payment is now outside the window).
    rows[0]["date"] = "2025-03-30"
    assert do_import_rows(workspace, "payments", rows, "bank").updated == 1
    assert credits() == set()


def test_workspace_recompute_is_limited_to_reminded_invoices(inv):
    other = factories.invoice(inv.customer, "F-2", DUE)
    factories.pay(other, DUE + timedelta(days=4), reference="P2")
    message = sent_message(inv.customer, DUE + timedelta(days=3), inv)
    factories.pay(inv, DUE + timedelta(days=4), reference="P1")
    do_recompute_workspace_attribution(inv.workspace)
    assert credits() == {("P1", message.pk, 1)}
