"""Writing what comes back: the one place that creates Event rows (opens, clicks, unsubscribes, webhooks)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from relance.accounts.models import Workspace
from relance.dunning.actions_tasks import do_open_task
from relance.ledger.models import Customer
from relance.mail.models import Message
from relance.tracking.models import Event

log = logging.getLogger(__name__)

KINDS = {kind for kind, _ in Event.KINDS}


def do_record_event(
    kind: str,
    source: str,
    *,
    message: Message | None = None,
    customer: Customer | None = None,
    workspace: Workspace | None = None,
    occurred_at: datetime | None = None,
    recipient: str = "",
    url: str = "",
    bounce_kind: str = "",
    status_code: str = "",
    reason: str = "",
    external_id: str = "",
    raw: dict[str, Any] | None = None,
) -> tuple[Event, bool]:
    """Record one event; (event, created). Idempotent on (source, external_id) when external_id is given:
    a webhook delivered twice, or a concurrent duplicate, returns the first row with created=False.

    The workspace and customer default to the message's. At least a message, a customer or a workspace is
    needed. Nothing else changes here: consequences (an opt-out, a bad address) are the caller's.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    if customer is None and message is not None:
        customer = message.customer
    if workspace is None:
        if message is not None:
            workspace = message.workspace
        elif customer is not None:
            workspace = customer.workspace
        else:
            raise ValueError("an event needs a message, a customer or a workspace")
    external_id = external_id[:200]
    if external_id:
        existing = Event.objects.filter(source=source, external_id=external_id).first()
        if existing is not None:
            return existing, False
    event = Event(
        workspace=workspace,
        message=message,
        customer=customer,
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        source=source[:40],
        recipient=recipient[:254],
        url=url[:2000],
        bounce_kind=bounce_kind,
        status_code=status_code[:20],
        reason=reason,
        external_id=external_id,
        raw=raw or {},
    )
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        if not external_id:
            raise
        return Event.objects.get(source=source, external_id=external_id), False
    return event, True


@transaction.atomic
def do_apply_consequences(event: Event) -> None:
    """What an event means for the customer, for events reported by others (webhooks): a hard bounce marks
    the address undeliverable and opens a task; a complaint stops e-mail; an unsubscribe stops the
    courtesy (pre-due) reminders only, never the reminders of a debt."""
    if event.kind == Event.BOUNCED and event.message_id is not None:
        # A reminder that bounced was never delivered: its payments go to the reminder before it, if any.
        from relance.tracking.attribution import do_recompute_attribution_for_messages

        do_recompute_attribution_for_messages([event.message_id])
    customer = event.customer
    if customer is None:
        return
    if event.kind == Event.BOUNCED and event.bounce_kind == Event.HARD and not customer.undeliverable:
        customer.undeliverable = True
        customer.save(update_fields=["undeliverable", "updated_at"])
        address = event.recipient or customer.email
        do_open_task(
            customer,
            kind="bounce",
            title=f"{customer.name}: {address} bounced our reminder",
            detail=f"The provider reported a permanent failure: {event.reason or event.status_code}. "
            "Find a working billing address.",
            due_date=timezone.localdate(),
        )
    elif event.kind == Event.COMPLAINED and not customer.complained:
        customer.complained = True
        customer.save(update_fields=["complained", "updated_at"])
    elif event.kind == Event.UNSUBSCRIBED:
        do_opt_out_pre_due(customer)


def do_opt_out_pre_due(customer: Customer) -> None:
    """No more courtesy reminders before the due date for this customer (RFC 8058 one-click)."""
    if not customer.pre_due_opt_out:
        customer.pre_due_opt_out = True
        customer.save(update_fields=["pre_due_opt_out", "updated_at"])
