"""Reads and state changes of the outbox that are not sending: staleness, cancellation, approval, JSON."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum

from relance.accounts.models import Workspace
from relance.engine.errors import InvalidInput
from relance.engine.money import format_plain
from relance.ledger.models import Hold, Invoice, Payment
from relance.mail.models import Message, MessageItem

PENDING = (Message.QUEUED, Message.AWAITING_APPROVAL)
CHUNK = 500


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def stale_reasons(message_ids: Sequence[int]) -> dict[int, str]:
    """Why each of these messages must not go out any more (paid, voided, held, customer excluded)."""
    reasons: dict[int, str] = {}
    for batch in chunks(list(message_ids)):
        items = list(
            MessageItem.objects.filter(message_id__in=batch).values_list(
                "message_id",
                "invoice_id",
                "invoice__number",
                "invoice__amount",
                "invoice__status",
                "message__run_date",
                "message__customer__excluded",
                "message__workspace__tolerance",
            )
        )
        invoice_ids = {row[1] for row in items}
        paid = dict(
            Payment.objects.filter(invoice_id__in=invoice_ids)
            .values("invoice_id")
            .annotate(total=Sum("amount"))
            .values_list("invoice_id", "total")
        )
        holds: dict[int, list[tuple[date, date, date | None]]] = defaultdict(list)
        for invoice_id, start, until, released in Hold.objects.filter(invoice_id__in=invoice_ids).values_list(
            "invoice_id", "start", "until", "released_on"
        ):
            holds[invoice_id].append((start, until, released))
        for message_id, invoice_id, number, amount, status, run_date, excluded, tolerance in items:
            reason = _item_reason(
                number, amount, status, paid.get(invoice_id), holds[invoice_id], run_date, tolerance
            )
            if excluded:
                reason = "the customer is excluded"
            if reason and message_id not in reasons:
                reasons[message_id] = reason
    return reasons


def _item_reason(
    number: str,
    amount: Decimal,
    status: str,
    paid: Decimal | None,
    holds: list[tuple[date, date, date | None]],
    day: date,
    tolerance: Decimal,
) -> str:
    if status == Invoice.VOID:
        return f"invoice {number} was voided"
    # Every payment counts here, whatever its date: money that has arrived stops the chase.
    if amount - (paid or Decimal("0")) <= tolerance:
        return f"invoice {number} was paid"
    for start, until, released in holds:
        if start <= day < until and (released is None or day < released):
            return f"invoice {number} is on hold"
    return ""


@transaction.atomic
def do_cancel(reasons: dict[int, str]) -> int:
    """Cancel pending messages; their invoices' stages are released so the next run can plan them again."""
    cancelled = 0
    for message_id, reason in reasons.items():
        updated = Message.objects.filter(pk=message_id, status__in=PENDING).update(
            status=Message.CANCELLED, last_error=reason, lease=""
        )
        if updated:
            MessageItem.objects.filter(message_id=message_id).delete()
            cancelled += updated
    return cancelled


def do_cancel_stale(workspace: Workspace) -> int:
    pending = list(
        Message.objects.filter(workspace=workspace, status__in=PENDING).values_list("pk", flat=True)
    )
    return do_cancel(stale_reasons(pending))


@transaction.atomic
def do_approve(workspace: Workspace, message_id: int, now: datetime) -> Message:
    message = Message.objects.select_for_update().filter(workspace=workspace, pk=message_id).first()
    if message is None:
        raise InvalidInput(f"no message #{message_id} in workspace {workspace.slug!r}")
    if message.status != Message.AWAITING_APPROVAL:
        raise InvalidInput(f"message #{message_id} is {message.status}, not awaiting approval")
    message.status = Message.QUEUED
    message.approved_at = now
    message.save(update_fields=["status", "approved_at", "updated_at"])
    return message


def list_messages(workspace: Workspace, customer: str | None = None, status: str | None = None) -> Any:
    query = Message.objects.filter(workspace=workspace).select_related("customer").order_by("run_date", "pk")
    if customer:
        query = query.filter(customer__external_id=customer)
    if status:
        valid = {s for s, _ in Message.STATUSES}
        if status not in valid:
            raise InvalidInput(f"--status {status!r}: expected one of {', '.join(sorted(valid))}")
        query = query.filter(status=status)
    return query


def invoice_numbers(messages: Sequence[Message]) -> dict[int, list[str]]:
    numbers: dict[int, list[str]] = defaultdict(list)
    ids = [m.pk for m in messages]
    for batch in chunks(ids):
        for message_id, number in (
            MessageItem.objects.filter(message_id__in=batch)
            .order_by("pk")
            .values_list("message_id", "invoice__number")
        ):
            numbers[message_id].append(number)
    return numbers


def delivery_states(message_ids: Sequence[int]) -> dict[int, tuple[str, datetime | None]]:
    states: dict[int, tuple[str, datetime | None]] = {}
    for batch in chunks(list(message_ids)):
        for pk, status, sent_at in Message.objects.filter(pk__in=batch).values_list(
            "pk", "status", "sent_at"
        ):
            states[pk] = (status, sent_at)
    return states


def message_json(message: Message, customer_key: str, invoices: list[str]) -> dict[str, Any]:
    return {
        "id": message.pk,
        "customer_id": customer_key,
        "stage": message.stage,
        "invoices": invoices,
        "total_due": format_plain(message.total_due),
        "currency": message.currency,
        "to": message.to,
        "from": message.from_email,
        "subject": message.subject,
        "status": message.status,
        "run_date": message.run_date.isoformat(),
        "sent_at": _utc(message.sent_at),
        "not_before": _utc(message.not_before),
        "template": message.template_name,
        "template_version": message.template_version,
        "policy": message.policy_name,
        "attempts": message.attempts,
        "last_error": message.last_error,
    }


def pending_filter(now: datetime) -> Q:
    return Q(status=Message.QUEUED) & (Q(not_before__isnull=True) | Q(not_before__lte=now))


def _utc(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None
