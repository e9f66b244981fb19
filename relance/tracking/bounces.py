"""Bounces and complaints that come back by e-mail: record them, stop e-mailing addresses that are gone.

Environment: RELANCE_BOUNCE_DOMAIN (e.g. ``bounces.acme.example``). When it is set, every message is sent
with the envelope sender (Return-Path) ``bounces+<message pk>.<signature>@<domain>``: a bounce then names
the message it is about even when the remote server strips the original headers, and a forged bounce for
someone else's message fails the signature. The domain's MX must deliver to ``relance smtpd`` (or to a
mailbox that is fed to do_record_bounce).

Rules (see relance/engine/bounces/classifier.py for the classification itself):
- hard bounce: an Event(bounced, bounce_kind=hard); the customer is marked undeliverable (e-mail stops)
  and a "bounce" task asks a person for a working address;
- soft bounce: an Event(bounced, bounce_kind=soft) only: mailbox full, blocked, policy, delayed...;
- complaint (ARF feedback report): an Event(complained); the customer is marked complained (e-mail stops);
- auto-reply or anything else: nothing recorded, None.
Recording the same raw message twice records it once (Event.external_id = the bounce's own Message-ID).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from relance.conf import env
from relance.dunning.actions_tasks import do_open_task
from relance.engine.bounces import COMPLAINT, HARD, SOFT, Verdict, classify
from relance.mail.models import Message
from relance.tracking.attribution import do_recompute_attribution_for_messages
from relance.tracking.models import Event

SALT = "relance.bounce"
_BOUNCE_LOCAL = re.compile(r"^bounces\+(\d+)\.([0-9a-f]{12})@", re.IGNORECASE)


def _signature(pk: int) -> str:
    # django.core.signing's HMAC (salted_hmac with SECRET_KEY), cut short and lower-case hex so that a
    # server that changes the case of the local part keeps it valid.
    return salted_hmac(SALT, str(pk), algorithm="sha256").hexdigest()[:12]


def bounce_address(message: Message) -> str | None:
    """The signed envelope sender (VERP) for `message`, or None when RELANCE_BOUNCE_DOMAIN is not set."""
    domain = str(env("RELANCE_BOUNCE_DOMAIN", "") or "").strip().lstrip("@")
    if not domain or message.pk is None:
        return None
    return f"bounces+{message.pk}.{_signature(message.pk)}@{domain}"


def message_from_bounce_address(address: str) -> int | None:
    """The message pk a bounce address names, or None when it is not one of ours or was tampered with."""
    match = _BOUNCE_LOCAL.match(address.strip().strip("<>"))
    if match is None:
        return None
    pk = int(match.group(1))
    return pk if constant_time_compare(match.group(2).lower(), _signature(pk)) else None


def find_message(verdict: Verdict, envelope_recipients: Iterable[str] = ()) -> Message | None:
    """Our message a bounce is about: by its Message-ID, by the signed bounce address it came back to, or
    else the latest message sent to the failed recipient."""
    messages = Message.objects.select_related("customer", "workspace")
    wanted = verdict.original_message_id.strip()
    if wanted:
        bare = wanted.strip("<>")
        found = messages.filter(message_id__in=[wanted, f"<{bare}>", bare]).first()
        if found is not None:
            return found
    for address in (*envelope_recipients, *verdict.addressed_to):
        pk = message_from_bounce_address(address)
        if pk is not None and (found := messages.filter(pk=pk).first()) is not None:
            return found
    if verdict.recipient and "@" in verdict.recipient:
        return (
            messages.filter(to__iexact=verdict.recipient.strip())
            .exclude(sent_at=None)
            .order_by("-sent_at", "-pk")
            .first()
        )
    return None


def do_record_bounce(
    raw: bytes, received_at: datetime, source: str, envelope_recipients: Iterable[str] = ()
) -> Event | None:
    """Classify `raw` and record what it says (see the module doc). `envelope_recipients`: the RCPT TO
    addresses it was delivered to, when known (they carry the signed bounce address)."""
    verdict = classify(raw)
    if verdict.kind not in (HARD, SOFT, COMPLAINT):
        return None
    external_id = (verdict.message_id or "sha256:" + hashlib.sha256(raw).hexdigest())[:200]
    existing = Event.objects.filter(source=source, external_id=external_id).first()
    if existing is not None:
        return existing
    message = find_message(verdict, envelope_recipients)
    if message is None:
        return None
    try:
        with transaction.atomic():
            return _record(verdict, message, received_at, source, external_id)
    except IntegrityError:  # the same bounce, recorded meanwhile by another process
        return Event.objects.filter(source=source, external_id=external_id).first()


def _record(
    verdict: Verdict, message: Message, received_at: datetime, source: str, external_id: str
) -> Event:
    customer = message.customer
    recipient = verdict.recipient or message.to
    details = asdict(verdict)
    details["addressed_to"] = list(verdict.addressed_to)
    event = Event.objects.create(
        workspace_id=message.workspace_id,
        message=message,
        customer=customer,
        kind=Event.COMPLAINED if verdict.kind == COMPLAINT else Event.BOUNCED,
        occurred_at=received_at,
        source=source,
        recipient=recipient[:254],
        bounce_kind=verdict.kind if verdict.kind in (HARD, SOFT) else "",
        status_code=verdict.status[:20],
        reason=verdict.reason,
        external_id=external_id,
        raw=details,
    )
    if verdict.kind == HARD:
        if not customer.undeliverable:
            customer.undeliverable = True
            customer.save(update_fields=["undeliverable", "updated_at"])
        do_open_task(
            customer,
            kind="bounce",
            title=f"{customer.name}: {recipient} bounced our reminder",
            detail=(
                f"The address does not work ({verdict.status or 'no status'}: "
                f"{verdict.reason or verdict.category}). Find a working billing address."
            ),
            due_date=received_at.date(),
        )
    elif verdict.kind == COMPLAINT and not customer.complained:
        customer.complained = True
        customer.save(update_fields=["complained", "updated_at"])
    if event.kind == Event.BOUNCED:
        # A reminder that bounced was never delivered: its payments go to the reminder before it, if any.
        do_recompute_attribution_for_messages([message.pk])
    return event
