"""E-mail providers' webhooks (through django-anymail) normalised into Event rows.

anymail's views (mounted at /webhooks/anymail/<esp>/tracking/) verify the request (WEBHOOK_SECRET basic
auth) and parse it into AnymailTrackingEvent; `record_tracking_event` below turns each into an Event.

Our messages leave over SMTP (a relay the provider runs), so the provider's own message id is not ours. The
message is matched by its Message-ID header when the provider reports it (SendGrid's "smtp-id", the headers
Amazon SES echoes, a "message_id" metadata value), else by recipient and time: the latest message sent to
that address in the 30 days before the event. An event delivered twice is recorded once (the provider's
event id is the Event's external_id).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason, tracking
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from relance.ledger.models import Customer
from relance.mail.models import Message
from relance.tracking.actions import do_apply_consequences, do_record_event
from relance.tracking.models import Event

log = logging.getLogger(__name__)

MATCH_WINDOW = timedelta(days=30)  # complaints and opens can come weeks later

KIND = {
    EventType.QUEUED: Event.SENT,
    EventType.SENT: Event.SENT,
    EventType.DELIVERED: Event.DELIVERED,
    EventType.DEFERRED: Event.DEFERRED,
    EventType.BOUNCED: Event.BOUNCED,
    EventType.REJECTED: Event.BOUNCED,
    EventType.OPENED: Event.OPENED,
    EventType.CLICKED: Event.CLICKED,
    EventType.COMPLAINED: Event.COMPLAINED,
    EventType.UNSUBSCRIBED: Event.UNSUBSCRIBED,
}
# Refusals that say nothing about the address itself: a retry or another route may work.
SOFT_REASONS = {RejectReason.TIMED_OUT, RejectReason.BLOCKED, RejectReason.OTHER}


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if hasattr(value, "dict"):  # a QueryDict (form-encoded webhooks)
        return {key: value.get(key) for key in value}
    return {}


def _bracketed(value: Any) -> str:
    text = str(value or "").strip()
    if not text or "@" not in text:
        return ""
    return text if text.startswith("<") else f"<{text}>"


def header_message_ids(event: AnymailTrackingEvent) -> list[str]:
    """Every Message-ID header value the provider reported, with angle brackets."""
    esp = _as_dict(event.esp_event)
    found = [event.message_id, esp.get("smtp-id"), esp.get("Message-Id"), esp.get("message-id")]
    metadata = event.metadata if isinstance(event.metadata, dict) else {}
    found += [metadata.get("message_id"), metadata.get("Message-ID")]
    mail = esp.get("mail")
    if isinstance(mail, dict):  # Amazon SES echoes the headers of the message
        common = mail.get("commonHeaders")
        if isinstance(common, dict):
            found.append(common.get("messageId"))
        for header in mail.get("headers") or []:
            if isinstance(header, dict) and str(header.get("name", "")).lower() == "message-id":
                found.append(header.get("value"))
    ids = []
    for value in found:
        bracketed = _bracketed(value)
        if bracketed and bracketed not in ids:
            ids.append(bracketed)
    return ids


def match_message(event: AnymailTrackingEvent, occurred_at: datetime) -> Message | None:
    ids = header_message_ids(event)
    if ids:
        message = Message.objects.filter(message_id__in=ids).select_related("customer", "workspace").first()
        if message is not None:
            return message
    recipient = (event.recipient or "").strip()
    if not recipient:
        return None
    return (
        Message.objects.filter(
            to__iexact=recipient,
            sent_at__lte=occurred_at + timedelta(hours=1),
            sent_at__gte=occurred_at - MATCH_WINDOW,
        )
        .select_related("customer", "workspace")
        .order_by("-sent_at", "-pk")
        .first()
    )


def _bounce_kind(event: AnymailTrackingEvent, esp: dict[str, Any], status: str) -> str:
    if event.event_type == EventType.DEFERRED:
        return ""
    # Amazon SES says it outright.
    bounce = esp.get("bounce")
    if isinstance(bounce, dict) and bounce.get("bounceType"):
        return Event.HARD if bounce["bounceType"] == "Permanent" else Event.SOFT
    if event.reject_reason in SOFT_REASONS:
        return Event.SOFT
    if status.startswith("4"):
        return Event.SOFT
    if status.startswith("5") or event.reject_reason in (RejectReason.BOUNCED, RejectReason.INVALID):
        # SendGrid's "blocked" bounces are refusals of the message (a policy, a full mailbox): soft.
        return Event.SOFT if str(esp.get("type", "")).lower() == "blocked" else Event.HARD
    return Event.HARD if event.event_type == EventType.BOUNCED else Event.SOFT


def _status_code(event: AnymailTrackingEvent, esp: dict[str, Any]) -> str:
    status = str(esp.get("status") or "")
    bounce = esp.get("bounce")
    if not status and isinstance(bounce, dict):
        for recipient in bounce.get("bouncedRecipients") or []:
            if (
                isinstance(recipient, dict)
                and recipient.get("emailAddress", "").lower() == (event.recipient or "").lower()
            ):
                status = str(recipient.get("status") or "")
    return status[:20]


@receiver(tracking, dispatch_uid="relance.tracking.webhooks.record_tracking_event")
def record_tracking_event(sender: Any, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any) -> None:
    kind = KIND.get(event.event_type)
    if kind is None:  # failed (the provider's own problem), autoresponded, subscribed, unknown: not ours
        return
    occurred_at = event.timestamp or timezone.now()
    source = f"webhook:{esp_name.lower().replace(' ', '_')}"[:40]
    esp = _as_dict(event.esp_event)
    message = match_message(event, occurred_at)
    customer: Customer | None = message.customer if message else None
    if message is None and event.recipient:
        # A bounce for an address we know, from a message we cannot name: still worth recording.
        customers = list(Customer.objects.filter(Q(email__iexact=event.recipient))[:2])
        customer = customers[0] if len(customers) == 1 else None
    if message is None and customer is None:
        log.info("%s %s event for %s matches no message", esp_name, event.event_type, event.recipient)
        return
    status = _status_code(event, esp)
    # The provider's event id; without one, what identifies the event (so a re-post stays one row).
    external_id = event.event_id or "|".join(
        str(part) for part in (event.event_type, event.message_id, event.recipient, occurred_at.isoformat())
    )
    recorded, created = do_record_event(
        kind,
        source,
        message=message,
        customer=customer,
        occurred_at=occurred_at,
        recipient=event.recipient or "",
        url=event.click_url or "",
        bounce_kind=_bounce_kind(event, esp, status) if kind == Event.BOUNCED else "",
        status_code=status,
        reason=" ".join(str(p) for p in (event.description, event.mta_response) if p),
        external_id=str(external_id),
        raw=_json_safe(esp),
    )
    if created:
        do_apply_consequences(recorded)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
