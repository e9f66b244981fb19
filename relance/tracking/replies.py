"""Replies to our reminders: recognising them, matching them to the message they answer, acting on them.

An incoming message (from the IMAP mailbox, see relance.tracking.imap) goes through
:func:`do_handle_incoming`, which returns what it was:

1. a bounce or complaint: handed to ``relance.tracking.bounces.do_record_bounce`` when that module exists
   (imported lazily; without it this step is skipped);
2. a duplicate: a Reply with the same Message-ID is already stored (fetching twice records once);
3. matched to one of our messages / customers, by In-Reply-To and References (our Message.message_id),
   then by a signed token in the address it was sent to (``compta+<token>@acme.example``, see
   :func:`reply_address`), then by the sender's address being a customer's e-mail;
4. an automatic reply (RFC 3834 Auto-Submitted, X-Autoreply, Precedence, out-of-office subjects...):
   stored as ``Reply(auto_reply=True)``; no ``replied`` event, nothing paused;
5. a reply from a person: stored as a Reply (the new text, quoted history stripped), an Event of kind
   ``replied``, the customer paused (``Customer.paused``) and a task of kind ``reply`` opened for a person;
6. unmatched: nothing is stored (the mailbox is usually shared with people: we leave it to them).

A person resumes automation with :func:`do_resume` (``relance resume CUSTOMER_ID``).
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, getaddresses, parseaddr, parsedate_to_datetime
from typing import Any, cast

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from relance.accounts.models import Workspace
from relance.dunning.actions_tasks import do_open_task
from relance.dunning.models import Task
from relance.ledger.models import Customer
from relance.mail.models import Message
from relance.tracking.models import Event, Reply

SALT = "relance.reply"
SOURCE = "imap"

# Outcomes of do_handle_incoming.
REPLY, AUTO_REPLY, BOUNCE, DUPLICATE, UNMATCHED = "reply", "auto_reply", "bounce", "duplicate", "unmatched"
KINDS = (REPLY, AUTO_REPLY, BOUNCE, DUPLICATE, UNMATCHED)


# --- plus-addressing --------------------------------------------------------------------------------------


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=".")


def reply_token(message: Message) -> str:
    """``<pk>.<signature>``: safe in the local part of an address (letters, digits, ``.-_``)."""
    if message.pk is None:
        raise ValueError("reply_token needs a saved message (its primary key is signed)")
    return _signer().sign(str(message.pk))


def reply_address(message: Message, base_reply_to: str) -> str:
    """`base_reply_to` (``Compta <compta@acme.example>``) with the message's signed token added after a ``+``
    to the local part: ``Compta <compta+12.AbC…@acme.example>``. Empty when `base_reply_to` is empty."""
    name, address = parseaddr(base_reply_to)
    if not address or "@" not in address:
        return base_reply_to
    local, _, domain = address.rpartition("@")
    tagged = f"{local}+{reply_token(message)}@{domain}"
    return formataddr((name, tagged)) if name else tagged


def message_pk_from_token(token: str) -> int | None:
    """The message primary key a token names, or None when the token is not one of ours. The signature is
    compared without regard to case: some mail systems lower-case the local part of addresses."""
    value, sep, signature = token.partition(".")
    if not sep or not value.isdigit() or not signature:
        return None
    expected = _signer().signature(value)
    if not constant_time_compare(signature.lower(), expected.lower()):
        return None
    return int(value)


def _tokens(msg: EmailMessage) -> Iterable[str]:
    """The part after the first ``+`` of every address the message was sent to."""
    values: list[str] = []
    for header in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"):
        values.extend(str(v) for v in msg.get_all(header, []))
    for _, address in getaddresses(values):
        local = address.rpartition("@")[0]
        if "+" in local:
            yield local.split("+", 1)[1]


# --- recognising automatic replies --------------------------------------------------------------------------

_AUTO_SUBJECT = re.compile(
    r"\b(absence|absent|out of (the )?office|automatic reply|auto[- ]?reply|autoreply|"
    r"r[ée]ponse automatique|message automatique|auto[- ]?response)\b",
    re.IGNORECASE,
)
_AUTO_PRECEDENCE = {"auto_reply", "bulk", "junk"}
_AUTO_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.IGNORECASE)


def is_auto_reply(msg: EmailMessage) -> bool:
    """RFC 3834 Auto-Submitted (anything but ``no``), X-Autoreply / X-Autorespond / X-Autoresponse,
    Precedence auto_reply / bulk / junk, a delivery report, a robot sender, or an out-of-office subject
    (fr/en: Absence, Out of office, Automatic reply, Réponse automatique...)."""
    auto_submitted = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return True
    if any(msg.get(h) is not None for h in ("X-Autoreply", "X-Autorespond", "X-Autoresponse")):
        return True
    if str(msg.get("Precedence", "")).strip().lower() in _AUTO_PRECEDENCE:
        return True
    if msg.get_content_type() == "multipart/report":
        return True
    if _AUTO_SENDERS.match(parseaddr(str(msg.get("From", "")))[1]):
        return True
    return bool(_AUTO_SUBJECT.search(str(msg.get("Subject", ""))))


# --- the new text of a reply --------------------------------------------------------------------------------

_ATTRIBUTION = re.compile(r"^\s*(le\s.+\sa\s+[ée]crit\s*:|on\s.+\swrote\s*:)\s*$", re.IGNORECASE | re.DOTALL)
_SEPARATORS = re.compile(
    r"^\s*(-{2,}\s*(original message|message d'origine|forwarded message|message transf[ée]r[ée])"
    r"\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE,
)
_OUTLOOK_HEADER = re.compile(r"^\s*\**(from|de)\s*\**\s*:\s*.+", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\**(sent|envoy[ée]|date|to|[àa])\s*\**\s*:", re.IGNORECASE)


def strip_quoted(text: str) -> str:
    """The new part of a reply: quoted lines (``>``) dropped, and everything from an attribution line
    (``Le … a écrit :``, ``On … wrote:``, also wrapped over two lines), an ``Original Message``
    separator, or an Outlook ``From: … / Sent: …`` block down cut off."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if (
            _ATTRIBUTION.match(line)
            or _ATTRIBUTION.match(f"{line} {following}")
            or _SEPARATORS.match(line)
            or (_OUTLOOK_HEADER.match(line) and _OUTLOOK_NEXT.match(following))
        ):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _html_to_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", "", markup)
    markup = re.sub(r"(?is)<blockquote\b.*?</blockquote>", "", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h\d)>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def reply_text(msg: EmailMessage) -> str:
    """The plain-text part (else the HTML one, as text) with the quoted history stripped."""
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
        if part is None:
            return ""
        content = part.get_content()
    except (LookupError, KeyError, ValueError, UnicodeError):
        return ""
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        content = _html_to_text(content)
    return strip_quoted(content)


# --- matching -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    message: Message | None
    customer: Customer | None
    by: str  # in-reply-to | token | sender | ""


def _message_ids(value: str) -> list[str]:
    found = re.findall(r"<([^<>\s]+)>", value)
    return found or [v for v in value.split() if v]


def match(workspace: Workspace, msg: EmailMessage) -> Match:
    """The message and customer `msg` answers, in the workspace: In-Reply-To / References first (the
    latest reference first), then a reply-address token, then the sender being a customer's address."""
    ours = Message.objects.filter(workspace=workspace).select_related("customer")
    references = _message_ids(str(msg.get("In-Reply-To", "")))
    references += list(reversed(_message_ids(str(msg.get("References", "")))))
    for reference in references:
        found = ours.filter(message_id__in=[reference, f"<{reference}>"]).first()
        if found is not None:
            return Match(found, found.customer, "in-reply-to")
    for token in _tokens(msg):
        pk = message_pk_from_token(token)
        found = ours.filter(pk=pk).first() if pk is not None else None
        if found is not None:
            return Match(found, found.customer, "token")
    sender = parseaddr(str(msg.get("Reply-To") or msg.get("From") or ""))[1]
    senders = {sender, parseaddr(str(msg.get("From", "")))[1]} - {""}
    for address in senders:
        customers = Customer.objects.filter(workspace=workspace, email__iexact=address)
        latest = ours.filter(customer__in=customers).exclude(sent_at=None).order_by("-sent_at").first()
        customer = latest.customer if latest is not None else customers.order_by("pk").first()
        if customer is not None:
            return Match(latest, customer, "sender")
    return Match(None, None, "")


# --- acting on an incoming message ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    kind: str  # reply | auto_reply | bounce | duplicate | unmatched
    header_message_id: str
    from_address: str
    subject: str
    reply: Reply | None = None
    event: Event | None = None
    matched_by: str = ""

    def as_dict(self) -> dict[str, Any]:
        customer = self.reply.customer if self.reply is not None else None
        return {
            "kind": self.kind,
            "message_id": self.header_message_id,
            "from": self.from_address,
            "subject": self.subject,
            "matched_by": self.matched_by,
            "customer_id": customer.external_id if customer is not None else None,
            "relance_message": self.reply.message_id if self.reply is not None else None,
        }


BounceRecorder = Callable[[bytes, datetime, str], "Event | None"]


def _bounce_recorder() -> BounceRecorder | None:
    """relance.tracking.bounces.do_record_bounce when that module exists, else None."""
    try:
        module = importlib.import_module("relance.tracking.bounces")
    except ModuleNotFoundError as exc:
        if exc.name == "relance.tracking.bounces":
            return None
        raise
    return cast("BounceRecorder | None", getattr(module, "do_record_bounce", None))


def parse(raw: bytes) -> EmailMessage:
    return cast(EmailMessage, email.message_from_bytes(raw, policy=email.policy.default))


def header_message_id(msg: EmailMessage, raw: bytes) -> str:
    """The message's own Message-ID (without brackets), or one made from its bytes when it has none."""
    found = _message_ids(str(msg.get("Message-ID", "")))
    if found:
        return found[0][:500]
    return f"sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid"


def _received_at(msg: EmailMessage, fallback: datetime | None) -> datetime:
    try:
        date = parsedate_to_datetime(str(msg.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        date = None
    if date is not None and date.tzinfo is not None:
        return date
    if fallback is not None:
        return fallback if timezone.is_aware(fallback) else timezone.make_aware(fallback)
    return timezone.now()


def _external_id(message_id: str) -> str:
    # Event.external_id holds 200 characters; a longer Message-ID is replaced by its digest.
    return (
        message_id if len(message_id) <= 200 else "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
    )


def do_handle_incoming(
    workspace: Workspace, raw: bytes, received_at: datetime | None = None, source: str = SOURCE
) -> Outcome:
    """Record one incoming message (its raw bytes); `received_at` is the server's arrival time, used when
    the Date header is missing or unreadable. Idempotent by the message's Message-ID."""
    msg = parse(raw)
    message_id = header_message_id(msg, raw)
    from_address = parseaddr(str(msg.get("From", "")))[1][:254]
    subject = str(msg.get("Subject", "")).strip()[:500]
    when = _received_at(msg, received_at)

    def outcome(kind: str, **found: Any) -> Outcome:
        return Outcome(kind, message_id, from_address, subject, **found)

    recorder = _bounce_recorder()
    if recorder is not None:
        event = recorder(raw, when, source)
        if event is not None:
            return outcome(BOUNCE, event=event)

    if Reply.objects.filter(header_message_id=message_id).exists():
        return outcome(DUPLICATE)

    found = match(workspace, msg)
    if found.customer is None:
        return outcome(UNMATCHED)
    auto = is_auto_reply(msg)
    try:
        with transaction.atomic():
            reply = Reply.objects.create(
                workspace=workspace,
                message=found.message,
                customer=found.customer,
                header_message_id=message_id,
                from_address=from_address,
                subject=subject,
                text=reply_text(msg),
                received_at=when,
                auto_reply=auto,
            )
            if auto:
                return outcome(AUTO_REPLY, reply=reply, matched_by=found.by)
            event = _record_reply(workspace, reply, found, source)
    except IntegrityError:
        # Another fetcher stored the same reply meanwhile.
        return outcome(DUPLICATE)
    return outcome(REPLY, reply=reply, event=event, matched_by=found.by)


def _record_reply(workspace: Workspace, reply: Reply, found: Match, source: str) -> Event:
    customer = found.customer
    assert customer is not None
    event = Event.objects.create(
        workspace=workspace,
        message=found.message,
        customer=customer,
        kind=Event.REPLIED,
        occurred_at=reply.received_at,
        source=source,
        recipient=reply.from_address,
        external_id=_external_id(reply.header_message_id),
        raw={"subject": reply.subject, "matched_by": found.by},
    )
    if not customer.paused:
        customer.paused = True
        customer.save(update_fields=["paused", "updated_at"])
    when = timezone.localtime(reply.received_at).strftime("%Y-%m-%d %H:%M")
    do_open_task(
        customer,
        Task.REPLY,
        title=f"Answer {customer.name}'s reply",
        detail=f"{when} {reply.from_address}: {reply.subject or '(no subject)'}",
        due_date=timezone.localdate(),
    )
    return event


@transaction.atomic
def do_resume(
    workspace: Workspace, customer_id: str, *, close_tasks: bool = True, now: datetime | None = None
) -> tuple[Customer, int]:
    """A person resumes automation for a customer a reply paused. Their open ``reply`` task is closed
    (resuming says the reply was dealt with) unless `close_tasks` is False. Returns the customer and the
    number of tasks closed."""
    from relance.ledger.queries import get_customer

    customer = get_customer(workspace, customer_id)
    if customer.paused:
        customer.paused = False
        customer.save(update_fields=["paused", "updated_at"])
    closed = 0
    if close_tasks:
        closed = Task.objects.filter(customer=customer, kind=Task.REPLY, status=Task.OPEN).update(
            status=Task.DONE, done_at=now or timezone.now(), outcome="automation resumed"
        )
    return customer, closed
