"""A customer's story, newest first: invoices issued and falling due, messages, what came back (tracking
events, replies), payments, holds, notes and logged calls.

Each source is read with its own LIMIT (the newest `limit + 1` rows), so the whole timeline costs one query
per source whatever the customer's history; merging them and cutting at `limit` gives exactly the newest
entries, and `has_more` says whether older ones exist ("show more" asks again with a larger limit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from relance.ledger.models import Customer, CustomerNote, Hold, Invoice, Payment

DEFAULT_LIMIT = 30
MAX_LIMIT = 500


@dataclass
class Entry:
    """One line of the timeline. `kind` names what it is (the template picks its wording from it);
    `on_day` is True when only the date is known (invoices, payments, holds start on a day)."""

    kind: str
    at: datetime
    on_day: bool
    obj: Any
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Timeline:
    entries: list[Entry]
    has_more: bool
    limit: int


# Events also shown by the message they belong to, or by the reply itself: not listed twice.
HIDDEN_EVENTS = ("sent", "replied")


def build_timeline(customer: Customer, today: date, limit: int = DEFAULT_LIMIT) -> Timeline:
    """The customer's newest `limit` entries (at most MAX_LIMIT), in at most 8 queries."""
    from relance.mail.models import Message
    from relance.tracking.models import Event, Reply

    limit = max(1, min(limit, MAX_LIMIT))
    take = limit + 1
    zone = ZoneInfo(customer.workspace.timezone)

    def day_start(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=zone)

    entries: list[Entry] = []
    invoices = Invoice.objects.filter(customer=customer)
    for invoice in invoices.order_by("-issue_date", "-pk")[:take]:
        entries.append(Entry("invoice_issued", day_start(invoice.issue_date), True, invoice))
    for invoice in invoices.filter(due_date__lte=today).order_by("-due_date", "-pk")[:take]:
        entries.append(Entry("invoice_due", day_start(invoice.due_date), True, invoice))
    payments = Payment.objects.filter(invoice__customer=customer).select_related("invoice")
    for payment in payments.order_by("-date", "-pk")[:take]:
        entries.append(Entry("payment", day_start(payment.date), True, payment))
    holds = Hold.objects.filter(invoice__customer=customer).select_related("invoice")
    for hold in holds.order_by("-start", "-pk")[:take]:
        entries.append(Entry("hold", day_start(hold.start), True, hold))
    messages = Message.objects.filter(customer=customer).defer("text_body", "html_body")
    for message in messages.order_by("-run_date", "-pk")[:take]:
        # A message belongs to its run date; a backfilled run may have sent it days later.
        sent = message.sent_at.astimezone(zone) if message.sent_at else None
        if sent is not None and sent.date() == message.run_date:
            entries.append(Entry("message", sent, False, message))
        else:
            entries.append(Entry("message", day_start(message.run_date), True, message))
    events = (
        Event.objects.filter(Q(customer=customer) | Q(message__customer=customer))
        .exclude(kind__in=HIDDEN_EVENTS)
        .select_related("message")
        .defer("raw", "message__text_body", "message__html_body")
    )
    for event in events.order_by("-occurred_at", "-pk")[:take]:
        entries.append(Entry("event", event.occurred_at, False, event))
    replies = Reply.objects.filter(customer=customer).select_related("message")
    replies = replies.defer("message__text_body", "message__html_body")
    for reply in replies.order_by("-received_at", "-pk")[:take]:
        entries.append(Entry("reply", reply.received_at, False, reply))
    notes = CustomerNote.objects.filter(customer=customer).select_related("author")
    for note in notes.order_by("-created_at", "-pk")[:take]:
        entries.append(Entry(f"note_{note.kind}", note.created_at, False, note))

    # Newest first; on one day, timed entries (later in the day) come before what only has a date.
    entries.sort(key=lambda e: (e.at, not e.on_day), reverse=True)
    return Timeline(entries[:limit], has_more=len(entries) > limit, limit=limit)
