""" "Send the next reminder now" for one customer: today's run, for that customer alone.

The customer's ledger is loaded into the same snapshot the daily run builds (relance.dunning.snapshot), and
planned, rendered and written by the run's own functions, so the message is the one the run would write today:
the same stage rules, minimum gap between messages, holds, exclusions, approval and sending window. At most
one message per customer and day (the outbox's unique constraint holds it even against a run at the same
moment). Sending is left to the caller, after the commit (relance.mail.delivery.deliver_now).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q

from relance.accounts.models import Workspace
from relance.dunning.actions import business_calendar, compose_all, escalate, persist_outgoing
from relance.dunning.snapshot import (
    MIN_LOOKAHEAD_DAYS,
    CustomerRow,
    History,
    HoldRow,
    InvoiceRow,
    LedgerSnapshot,
    load_policies,
)
from relance.engine.money import CENT
from relance.engine.planner import CustomerState, PlannedMessage, plan_customer
from relance.engine.policy import BUILTIN_DEFAULT
from relance.ledger.models import Customer, Hold, Invoice, Payment
from relance.mail.models import Message, MessageItem
from relance.mail.outbox import PENDING, do_cancel, stale_reasons

# Why nothing was written (the web page words each one).
ALREADY, STOPPED, NOTHING_OWED, TOO_SOON, NOT_DUE = (
    "already",
    "stopped",
    "nothing_owed",
    "too_soon",
    "not_due",
)


@dataclass
class SendNow:
    message: Message | None = None
    # Set when no message was written: one of the reasons above.
    reason: str = ""
    # ALREADY: the message the customer already has today. TOO_SOON: the first day another one may go.
    existing: Message | None = None
    next_allowed: date | None = None


def load_customer_snapshot(workspace: Workspace, customer: Customer, today: date) -> LedgerSnapshot:
    """The snapshot `load_snapshot(workspace, today, today, history_before=today + 1 day)` would give,
    restricted to one customer: a handful of small queries instead of the whole ledger."""
    policies = load_policies(workspace)
    lookahead = max([MIN_LOOKAHEAD_DAYS, *(-s.offset_days for p in policies for s in p.steps)])
    gap = max(
        [1, *(p.min_days_between_messages for p in policies), BUILTIN_DEFAULT.min_days_between_messages]
    )
    history_before = today + timedelta(days=1)
    invoices = list(
        Invoice.objects.filter(
            customer=customer,
            status=Invoice.OPEN,
            issue_date__lte=today,
            due_date__lte=today + timedelta(days=lookahead),
        )
        .order_by("due_date")
        .values_list("id", "customer_id", "number", "issue_date", "due_date", "amount", "currency")
    )
    rows = [
        InvoiceRow(pk, owner, number, issued, due, Decimal(amount).quantize(CENT), currency)
        for pk, owner, number, issued, due, amount, currency in invoices
    ]
    ids = [row.id for row in rows]
    payments: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for invoice_id, on, amount in Payment.objects.filter(invoice_id__in=ids, date__lte=today).values_list(
        "invoice_id", "date", "amount"
    ):
        payments[invoice_id].append((on, Decimal(amount).quantize(CENT)))
    history = History()
    reached = MessageItem.objects.filter(invoice_id__in=ids, message__run_date__lt=history_before).exclude(
        message__status=Message.CANCELLED
    )
    for invoice_id, stage, run_date in reached.values_list("invoice_id", "stage", "message__run_date"):
        history.reached[invoice_id].append((run_date, stage))
    recent = Message.objects.filter(
        customer=customer, run_date__lt=history_before, run_date__gte=today - timedelta(days=gap)
    ).exclude(status=Message.CANCELLED)
    for run_date in recent.values_list("run_date", flat=True):
        history.message_dates[customer.pk].append(run_date)
    holds: dict[int, list[HoldRow]] = defaultdict(list)
    for invoice_id, start, until, released in Hold.objects.filter(
        Q(invoice_id__in=ids), start__lte=today, until__gt=today
    ).values_list("invoice_id", "start", "until", "released_on"):
        holds[invoice_id].append(HoldRow(start, until, released))
    row = CustomerRow(
        customer.pk,
        customer.external_id,
        customer.segment,
        customer.tags,
        customer.pinned_policy,
        customer.excluded,
        customer.undeliverable,
        customer.complained,
        customer.paused,
        customer.pre_due_opt_out,
    )
    by_customer = {customer.pk: rows} if rows else {}
    return LedgerSnapshot(
        workspace, policies, {customer.pk: row}, by_customer, dict(payments), dict(holds), history
    )


def plan_customer_today(
    workspace: Workspace, customer: Customer, today: date
) -> tuple[PlannedMessage | None, CustomerState | None]:
    """What today's run plans for this customer (None when nothing), and the state it planned from."""
    snapshot = load_customer_snapshot(workspace, customer, today)
    states = snapshot.customer_states(today)
    if not states:
        return None, None
    return plan_customer(states[0], today, business_calendar(workspace)), states[0]


def do_send_next_now(workspace: Workspace, customer: Customer, today: date, now: datetime) -> SendNow:
    """Write today's message for this customer to the outbox, as today's run would, if there is one."""
    with transaction.atomic():
        # One click at a time per customer: a second one waits, then finds the first one's message.
        customer = Customer.objects.select_for_update().get(pk=customer.pk, workspace=workspace)
        pending = list(
            Message.objects.filter(customer=customer, status__in=PENDING).values_list("pk", flat=True)
        )
        if pending:  # as the run does first: what would chase a paid or held invoice is cancelled
            do_cancel(stale_reasons(pending))
        existing = _todays_message(customer, today)
        if existing is not None:
            return SendNow(reason=ALREADY, existing=existing)
        if customer.excluded or customer.paused or customer.undeliverable or customer.complained:
            return SendNow(reason=STOPPED)
        planned, state = plan_customer_today(workspace, customer, today)
        if planned is None:
            return _why_not(state, today)
        try:
            with transaction.atomic():
                outgoing = compose_all(workspace, [planned], today, now, backfill=False)
                persist_outgoing(outgoing)
        except IntegrityError:  # the daily run wrote one for this customer at the same moment
            return SendNow(reason=ALREADY, existing=_todays_message(customer, today))
        escalate(workspace, [planned], today)
        return SendNow(message=outgoing[0].message)


def _todays_message(customer: Customer, today: date) -> Message | None:
    return (
        Message.objects.filter(customer=customer, run_date=today)
        .exclude(status=Message.CANCELLED)
        .defer("text_body", "html_body")
        .first()
    )


def _why_not(state: CustomerState | None, today: date) -> SendNow:
    if state is None:
        return SendNow(reason=NOTHING_OWED)
    if state.last_message_date is not None:
        allowed = state.last_message_date + timedelta(days=max(1, state.policy.min_days_between_messages))
        if today < allowed:
            return SendNow(reason=TOO_SOON, next_allowed=allowed)
    return SendNow(reason=NOT_DUE)
