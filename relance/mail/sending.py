"""Sending the outbox: claim, re-check, send, record. Each step is its own transaction.

A message is claimed (status `sending`, a lease token) before the SMTP transaction and marked `sent` right
after it. A crash between the two leaves it `sending`: it is reported, never sent again blindly, because a
second copy of a payment reminder is worse than a late one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr

from django.conf import settings
from django.db import transaction
from django.db.models import F

from relance.dunning.actions_tasks import do_open_task
from relance.mail.mime import make_mime
from relance.mail.models import Message
from relance.mail.outbox import do_cancel, pending_filter, stale_reasons
from relance.mail.transport import SMTPConfig, SMTPTransport, Transport, TransportError
from relance.tracking.bounces import bounce_address
from relance.tracking.replies import reply_address
from relance.tracking.rewrite import NON_ESSENTIAL_STAGES, rewrite_html
from relance.tracking.tokens import unsubscribe_token

BATCH = 200
MARK_SENT_EVERY = 20
BACKOFF_MINUTES = (1, 5, 15, 60, 240)


class SendingNotConfigured(Exception):
    """No way to send e-mail: never a silent drop."""


TransportFactory = Callable[[], AbstractContextManager[Transport]]


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)


def smtp_factory() -> TransportFactory:
    url = settings.EMAIL_URL
    if not url:
        raise SendingNotConfigured(
            "EMAIL_URL is not set: messages stay queued. Set EMAIL_URL=smtp://user:pass@host:port "
            "and run `relance send`."
        )
    config = SMTPConfig.from_url(url)
    return lambda: SMTPTransport(config)


def build_email(message: Message) -> EmailMessage:
    html_body = message.html_body
    base_url = settings.RELANCE_BASE_URL
    if base_url and message.workspace.tracking_enabled:
        # At send time, never on the stored row: see relance.tracking.rewrite.
        html_body = rewrite_html(html_body, message.message_id, base_url)
    reply_to = message.reply_to
    if reply_to and settings.RELANCE_REPLY_PLUS_ADDRESSING:
        # compta+<signed token>@…: a reply that lost its In-Reply-To still finds its message.
        reply_to = reply_address(message, reply_to)
    email = make_mime(
        message.from_email,
        message.to,
        reply_to,
        message.subject,
        message.message_id,
        message.created_at,
        message.text_body,
        html_body,
        message.language,
        headers=tracking_headers(message, base_url),
    )
    envelope_sender = bounce_address(message)
    if envelope_sender:
        # The transport uses Return-Path as the envelope sender (and strips it): bounces come back to an
        # address that names the message, signed (relance smtpd, fetch-replies).
        email["Return-Path"] = envelope_sender
    # A random boundary of our own: the standard library would otherwise compile a regular expression for
    # every message to pick one (a tenth of the sending time, measured).
    email.set_boundary(f"=_relance_{uuid.uuid4().hex}")
    return email


def tracking_headers(message: Message, base_url: str) -> dict[str, str]:
    """X-Relance-Stage, and on courtesy reminders (pre_due, which a customer may decline) the RFC 8058
    one-click unsubscribe. Reminders of an overdue debt carry none: they are not optional."""
    headers = {"X-Relance-Stage": message.stage}
    if base_url and message.stage in NON_ESSENTIAL_STAGES:
        url = f"{base_url.rstrip('/')}/t/u/{unsubscribe_token(message.message_id)}"
        mailto = parseaddr(message.reply_to or message.from_email)[1]
        targets = [f"<{url}>"]
        if mailto:
            targets.append(f"<mailto:{mailto}?subject=unsubscribe>")
        headers["List-Unsubscribe"] = ", ".join(targets)
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def claim(ids: list[int], now: datetime) -> list[Message]:
    lease = uuid.uuid4().hex
    with transaction.atomic():
        Message.objects.filter(pk__in=ids).filter(pending_filter(now)).update(
            status=Message.SENDING, lease=lease, attempts=F("attempts") + 1, updated_at=now
        )
    return list(
        Message.objects.filter(lease=lease, status=Message.SENDING).select_related("customer", "workspace")
    )


def dispatch(now: datetime, factory: TransportFactory, workspace_id: int | None = None) -> SendReport:
    """Send every queued message that is due at `now`, over one connection per batch."""
    report = SendReport()
    due = Message.objects.filter(pending_filter(now))
    if workspace_id is not None:
        due = due.filter(workspace_id=workspace_id)
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return report
    with factory() as transport:
        for start in range(0, len(ids), BATCH):
            batch = claim(ids[start : start + BATCH], now)
            stale = stale_reasons([m.pk for m in batch])
            if stale:
                _release(stale)
                report.cancelled += do_cancel(stale)
            sent: list[int] = []
            for message in batch:
                if message.pk not in stale and _send_one(message, transport, now, report):
                    sent.append(message.pk)
                    if len(sent) == MARK_SENT_EVERY:
                        _mark_sent(sent, now)
                        sent = []
            _mark_sent(sent, now)
    return report


def _mark_sent(ids: list[int], now: datetime) -> None:
    """Record deliveries a few at a time: one UPDATE per message was half the cost of sending. A crash
    before this leaves those messages `sending` (never re-sent blindly), as a crash right after SMTP would."""
    if ids:
        Message.objects.filter(pk__in=ids, status=Message.SENDING).update(
            status=Message.SENT, sent_at=now, lease="", last_error="", updated_at=now
        )


def _release(stale: dict[int, str]) -> None:
    """Back to queued so that do_cancel (which only cancels pending messages) takes them."""
    Message.objects.filter(pk__in=list(stale), status=Message.SENDING).update(status=Message.QUEUED, lease="")


def _send_one(message: Message, transport: Transport, now: datetime, report: SendReport) -> bool:
    try:
        transport.send(build_email(message))
    except TransportError as exc:
        _record_failure(message, exc, now, report)
        return False
    report.sent += 1
    return True


@transaction.atomic
def _record_failure(message: Message, exc: TransportError, now: datetime, report: SendReport) -> None:
    error = str(exc)[:2000]
    report.errors.append(f"#{message.pk} to {message.to}: {error}")
    if exc.permanent or message.attempts >= settings.SEND_MAX_ATTEMPTS:
        Message.objects.filter(pk=message.pk).update(
            status=Message.FAILED, last_error=error, lease="", updated_at=now
        )
        report.failed += 1
        customer = message.customer
        # Only a refused recipient says the address is bad; a refused sender or message is our problem.
        if exc.permanent and exc.stage == "RCPT":
            customer.undeliverable = True
            customer.save(update_fields=["undeliverable", "updated_at"])
            title, advice = (
                f"{customer.name}: {message.to} refused our reminder",
                "Find a working billing address.",
            )
        else:
            title = f"{customer.name}: reminder #{message.pk} could not be sent"
            advice = "Check the mail settings, then send it again or reach the customer another way."
        do_open_task(
            customer,
            kind="bounce",
            title=title,
            detail=f"The mail server answered: {error}. {advice}",
            due_date=message.run_date,
        )
        return
    Message.objects.filter(pk=message.pk).update(
        status=Message.QUEUED,
        last_error=error,
        lease="",
        not_before=now + backoff(message.attempts),
        updated_at=now,
    )
    report.retried += 1
