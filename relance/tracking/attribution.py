"""Crediting payments to reminders (writes Attribution rows).

A payment is credited to the latest delivered reminder for its invoice dated at most
`workspace.attribution_days` days before it (0 <= payment date - message run date <= N; see
relance.engine.kpi.attribute). A reminder for an invoice is a sent Message carrying it (a MessageItem);
delivered = sent and no "bounced" event recorded for it. days_after counts from the message's run date, so
backfilled runs (sent long after their run date) attribute as live ones do.

`do_recompute_attribution(invoice_ids)` derives the rows from scratch for those invoices and writes only the
difference: idempotent, and right whatever came first (a payment imported late, a bounce received after the
payment had been credited: the credit moves to an earlier delivered reminder, or goes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from relance.accounts.models import Workspace
from relance.engine.kpi import Reminder, attribute
from relance.ledger.models import Payment
from relance.ledger.queries import chunks
from relance.mail.models import Message, MessageItem
from relance.tracking.models import Attribution, Event


@dataclass
class AttributionChanges:
    created: int = 0
    updated: int = 0
    deleted: int = 0


@transaction.atomic
def do_recompute_attribution(invoice_ids: Iterable[int]) -> AttributionChanges:
    """Recompute the attributions of every payment of these invoices."""
    changes = AttributionChanges()
    windows = dict(Workspace.objects.values_list("id", "attribution_days"))
    for batch in chunks(sorted(set(invoice_ids))):
        _recompute_batch(batch, windows, changes)
    return changes


def _recompute_batch(batch: list[int], windows: dict[int, int], changes: AttributionChanges) -> None:
    items = list(
        MessageItem.objects.filter(invoice_id__in=batch, message__status=Message.SENT).values_list(
            "invoice_id", "message_id", "message__run_date", "message__sent_at"
        )
    )
    message_ids = {message_id for _, message_id, _, _ in items}
    bounced: set[int] = set()
    for ids in chunks(sorted(message_ids)):
        bounced.update(
            Event.objects.filter(message_id__in=ids, kind=Event.BOUNCED).values_list("message_id", flat=True)
        )
    reminders: dict[int, list[Reminder]] = defaultdict(list)
    for invoice_id, message_id, run_date, sent_at in items:
        if message_id not in bounced:
            order = (sent_at.isoformat() if sent_at else "",)
            reminders[invoice_id].append(Reminder(message_id, run_date, order))

    wanted: dict[int, tuple[int, int]] = {}
    payments = Payment.objects.filter(invoice_id__in=batch).values_list(
        "id", "invoice_id", "workspace_id", "date"
    )
    for payment_id, invoice_id, workspace_id, day in payments:
        credit = attribute(day, reminders.get(invoice_id, ()), windows.get(workspace_id, 14))
        if credit is not None:
            wanted[payment_id] = credit

    existing = {
        payment_id: (message_id, days)
        for payment_id, message_id, days in Attribution.objects.filter(
            payment__invoice_id__in=batch
        ).values_list("payment_id", "message_id", "days_after")
    }
    gone = [payment_id for payment_id in existing if payment_id not in wanted]
    if gone:
        changes.deleted += Attribution.objects.filter(payment_id__in=gone).delete()[0]
    for payment_id, (message_id, days) in wanted.items():
        if payment_id not in existing:
            continue
        if existing[payment_id] != (message_id, days):
            Attribution.objects.filter(payment_id=payment_id).update(message_id=message_id, days_after=days)
            changes.updated += 1
    new = [
        Attribution(payment_id=payment_id, message_id=message_id, days_after=days)
        for payment_id, (message_id, days) in wanted.items()
        if payment_id not in existing
    ]
    Attribution.objects.bulk_create(new, batch_size=500)
    changes.created += len(new)


def do_recompute_attribution_for_messages(message_ids: Iterable[int]) -> AttributionChanges:
    """After something changed about these messages (a bounce recorded, a message marked sent late)."""
    invoice_ids: set[int] = set()
    for batch in chunks(sorted(set(message_ids))):
        invoice_ids.update(
            MessageItem.objects.filter(message_id__in=batch).values_list("invoice_id", flat=True)
        )
    return do_recompute_attribution(invoice_ids)


def do_recompute_workspace_attribution(workspace: Workspace) -> AttributionChanges:
    """Every invoice of the workspace that a sent reminder carried and that has payments (only those can be
    credited): what a payments import calls, since any of their payments may be new or changed."""
    reminded = MessageItem.objects.filter(
        message__workspace=workspace, message__status=Message.SENT, invoice__payments__isnull=False
    )
    invoice_ids = set(reminded.values_list("invoice_id", flat=True))
    stale = Attribution.objects.filter(payment__workspace=workspace).values_list(
        "payment__invoice_id", flat=True
    )
    return do_recompute_attribution(invoice_ids | set(stale))
