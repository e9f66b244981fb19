"""The approval queue: approving, editing then approving, and skipping messages that wait for a person.

Each action is one transaction and touches only messages of the workspace that still wait for approval: an
id that is stale (approved or skipped meanwhile) or belongs to another workspace is reported, never changed.
An approved message is queued for the customer's next sending-window opening (a person approving at night
does not send a reminder at night); `deliver_approved` then hands due messages to delivery, as
`relance approve` does, and says what became of each one.

An edited message keeps a consistent pair of parts: the person edits the subject and the plain-text part,
and the HTML part is written again from that text (`html_from_text`), in the same layout as rendered mail.
The linter (`lint_message`) checks the edited words against the message's stage before approval.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from markupsafe import Markup

from relance.accounts.models import Workspace
from relance.dunning.models import Policy
from relance.engine.calendar import BusinessCalendar
from relance.engine.errors import InvalidInput
from relance.engine.lint import STAGES, LintInput, LintReport, lint
from relance.engine.window import SendingWindow
from relance.mail.delivery import deliver_now
from relance.mail.models import Message, MessageItem
from relance.mail.outbox import chunks, do_cancel
from relance.mail.rendering.render import _INLINER, _layout
from relance.mail.template_lint import facts_from_context

SUBJECT_MAX = 300  # Message.subject's length


@dataclass
class BatchResult:
    """What a bulk action did: the ids it changed, and for each id it refused, the message's status now
    ("" when the id is not a message of the workspace)."""

    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    """What became of an approved message once handed to delivery."""

    message_id: int
    status: str  # the message's status now
    not_before: datetime | None  # when a queued message may leave (the sending window), else None
    reason: str  # why it was not sent, when it was not ("" when sent or waiting for the window)


def user_label(user: Any) -> str:
    return str(getattr(user, "email", "") or user.get_username())


# --- actions ------------------------------------------------------------------------------------------------


def _awaiting(workspace: Workspace, ids: Iterable[int]) -> tuple[list[Message], dict[int, str]]:
    """The messages among `ids` that wait for approval in `workspace`, locked; the others, with their
    status ("" when not a message of the workspace)."""
    wanted = list(dict.fromkeys(int(i) for i in ids))
    found: dict[int, Message] = {}
    for batch in chunks(wanted):
        locked = Message.objects.select_for_update().filter(workspace=workspace, pk__in=batch)
        found.update((m.pk, m) for m in locked.select_related("customer"))
    waiting = [found[i] for i in wanted if i in found and found[i].status == Message.AWAITING_APPROVAL]
    ready = {m.pk for m in waiting}
    refused = {i: (found[i].status if i in found else "") for i in wanted if i not in ready}
    return waiting, refused


@transaction.atomic
def do_approve_many(workspace: Workspace, ids: Sequence[int], user: Any, now: datetime) -> BatchResult:
    """Approve the messages among `ids` that still wait for approval; they leave at the next opening of the
    sending window (now, inside it)."""
    waiting, refused = _awaiting(workspace, ids)
    openings = _Openings(workspace, now)
    # One UPDATE per distinct sending moment, not one per message: "approve all" may cover thousands.
    by_moment: dict[datetime | None, list[int]] = defaultdict(list)
    for message in waiting:
        _approve(message, user, now, openings.of(message))
        by_moment[message.not_before].append(message.pk)
    for not_before, pks in by_moment.items():
        fields = {"status": Message.QUEUED, "approved_at": now, "approved_by": user, "not_before": not_before}
        for batch in chunks(pks):
            Message.objects.filter(pk__in=batch).update(**fields, updated_at=now)
    return BatchResult(done=[m.pk for m in waiting], refused=refused)


@transaction.atomic
def do_skip_many(workspace: Workspace, ids: Sequence[int], user: Any, now: datetime) -> BatchResult:
    """Cancel the messages among `ids` that still wait for approval, "skipped by <user>". As any cancelled
    message, their stages are released: a later run may plan them again (hold the invoice or exclude the
    customer to stop the chase)."""
    waiting, refused = _awaiting(workspace, ids)
    reason = f"skipped by {user_label(user)}"
    do_cancel({m.pk: reason for m in waiting})
    return BatchResult(done=[m.pk for m in waiting], refused=refused)


@transaction.atomic
def do_edit_and_approve(
    workspace: Workspace, message_id: int, user: Any, subject: str, text_body: str, now: datetime
) -> Message:
    """Replace the subject and text part of a message that waits for approval (the HTML part is written
    again from the text), record who edited it, and approve it. InvalidInput when the message no longer
    waits for approval or the text is unusable."""
    waiting, refused = _awaiting(workspace, [message_id])
    if not waiting:
        status = refused.get(message_id, "")
        if not status:
            raise InvalidInput(f"no message #{message_id} in workspace {workspace.slug!r}")
        raise InvalidInput(f"message #{message_id} is {status}, not awaiting approval")
    message = waiting[0]
    subject, text_body = clean_subject(subject), clean_body(text_body)
    message.subject = subject
    message.text_body = text_body
    message.html_body = html_from_text(text_body, subject, message.language)
    message.edited_by = user
    _approve(message, user, now, _Openings(workspace, now).of(message))
    message.save(
        update_fields=[
            "subject",
            "text_body",
            "html_body",
            "edited_by",
            "status",
            "approved_at",
            "approved_by",
            "not_before",
            "updated_at",
        ]
    )
    return message


def _approve(message: Message, user: Any, now: datetime, opening: datetime) -> None:
    message.status = Message.QUEUED
    message.approved_at = now
    message.approved_by = user
    if opening > now and (message.not_before is None or message.not_before < opening):
        message.not_before = opening


class _Openings:
    """The next sending-window opening for each customer's time zone and policy calendar, computed once."""

    def __init__(self, workspace: Workspace, now: datetime) -> None:
        self.workspace = workspace
        self.now = now
        self.window = SendingWindow.parse(workspace.sending_window)
        self.calendar = BusinessCalendar(workspace.country)
        self.cache: dict[tuple[str, bool], datetime] = {}
        self.business: dict[str, bool] = {}

    def of(self, message: Message) -> datetime:
        zone = message.customer.timezone or self.workspace.timezone
        business = self._business_days_only(message.policy_name)
        key = (zone, business)
        if key not in self.cache:
            local = self.now.astimezone(ZoneInfo(zone))
            self.cache[key] = self.window.next_opening(local, self.calendar, business)
        return self.cache[key]

    def _business_days_only(self, policy_name: str) -> bool:
        if policy_name not in self.business:
            definition = (
                Policy.objects.filter(workspace=self.workspace, name=policy_name)
                .values_list("definition", flat=True)
                .first()
            )
            self.business[policy_name] = bool((definition or {}).get("business_days_only", True))
        return self.business[policy_name]


def deliver_approved(workspace: Workspace, ids: Sequence[int], now: datetime) -> list[Delivery]:
    """Hand due messages to delivery (as `relance approve` does), then what became of the approved ones."""
    error = deliver_now(workspace) if ids else ""
    rows = []
    for batch in chunks(list(ids)):
        found = Message.objects.filter(workspace=workspace, pk__in=batch)
        rows += list(found.values_list("pk", "status", "not_before", "last_error"))
    deliveries = []
    for pk, status, not_before, last_error in sorted(rows):
        waiting = status == Message.QUEUED and not_before is not None and not_before > now and not last_error
        reason = ""
        if status == Message.QUEUED and not waiting:
            reason = error or last_error
        elif status in (Message.CANCELLED, Message.FAILED):
            reason = last_error
        deliveries.append(Delivery(pk, status, not_before if waiting else None, reason))
    return deliveries


# --- checking an edited message -----------------------------------------------------------------------------

_FOOTER_RULE = "--"


def clean_subject(subject: str) -> str:
    subject = " ".join(subject.split())
    if not subject:
        raise InvalidInput("the subject is empty")
    if len(subject) > SUBJECT_MAX:
        raise InvalidInput(f"the subject is longer than {SUBJECT_MAX} characters")
    return subject


def clean_body(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    if not text.strip():
        raise InvalidInput("the message text is empty")
    return text + "\n"


def split_footer(text: str) -> tuple[str, str]:
    """(body, footer): the footer is what follows the last line that reads "--" (legal mentions, links)."""
    lines = text.split("\n")
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip() == _FOOTER_RULE:
            return "\n".join(lines[:index]).rstrip("\n") + "\n", "\n".join(lines[index + 1 :]).strip("\n")
    return text, ""


def lint_message(message: Message, subject: str, text_body: str) -> LintReport | None:
    """The linter's findings on an (edited) subject and text, with the message's own facts (its invoices,
    amounts, names) so that structure rules check for them; None when the linter does not know the
    message's stage or language (a policy step of the workspace's own)."""
    if message.stage not in STAGES or message.language not in ("fr", "en"):
        return None
    body, _footer = split_footer(text_body.replace("\r\n", "\n"))
    return lint(
        LintInput(
            stage=message.stage,
            language=message.language,
            subject=" ".join(subject.split()),
            body=body,
            subject_line=1,
            subject_column=1,
            body_line=2,
            sender=message.from_email,
            reply_to=message.reply_to,
            facts=facts_from_context(message.language, _facts_context(message)),
            country=message.workspace.country,
        )
    )


def _facts_context(message: Message) -> dict[str, Any]:
    items = MessageItem.objects.filter(message=message).select_related("invoice").order_by("pk")
    invoices = [
        {
            "number": item.invoice.number,
            "outstanding": item.outstanding,
            "amount": item.invoice.amount,
            "currency": item.invoice.currency,
            "due_date": item.invoice.due_date,
            "payment_url": item.invoice.payment_url,
            "pdf_url": item.invoice.pdf_url,
        }
        for item in items
    ]
    workspace = message.workspace
    return {
        "invoices": invoices,
        "totals": {"due": message.total_due, "currency": message.currency},
        "customer": {"name": message.customer.name},
        "company": {"legal_name": workspace.legal_name or workspace.name},
        "links": {"pay": workspace.payment_page_url},
    }


# --- the HTML part, written from the text part --------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_URL_TAIL = ".,;:!?)]}'\""
_CALL_TO_ACTION = re.compile(r"^(?P<label>[^:\n]{1,80}):[ \t]+(?P<url>https?://\S+)$", re.IGNORECASE)
_TABLE_RULE = re.compile(r"^(?=.*-{3})[-\s]+$")
_PRE_STYLE = "font-family:monospace;font-size:13px;white-space:pre-wrap"
_SOFT_WRAP = 60  # a line this long was most likely wrapped (the text part wraps at 76 columns)


def html_from_text(text: str, subject: str, language: str) -> str:
    """A complete HTML part for a plain-text part: its paragraphs, line breaks, links and call-to-action
    lines ("Pay online: https://…" becomes a button), tables kept as preformatted text, the footer after a
    "--" line in the layout's footer; the same layout and inlined CSS as a rendered message."""
    body, footer = split_footer(text.replace("\r\n", "\n"))
    body_html = "\n".join(_block(lines) for lines in _paragraphs(body))
    footer_lines = [Markup(_lines_html(lines)) for lines in _paragraphs(footer)]
    page = _layout().render(
        language=language, subject=subject, preheader="", body=Markup(body_html), footer=footer_lines
    )
    return str(_INLINER.inline(page))


def _paragraphs(text: str) -> list[list[str]]:
    paragraphs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip():
            paragraphs[-1].append(line.rstrip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _block(lines: list[str]) -> str:
    if any(_TABLE_RULE.match(line) for line in lines):
        return f'<pre style="{_PRE_STYLE}">{escape(chr(10).join(lines))}</pre>'
    if len(lines) == 1:
        cta = _CALL_TO_ACTION.match(lines[0].strip())
        if cta:
            url, label = cta.group("url"), cta.group("label").strip()
            return f'<p class="actions"><a class="button" href="{escape(url)}">{escape(label)}</a></p>'
    return f"<p>{_lines_html(lines)}</p>"


def _lines_html(lines: list[str]) -> str:
    """Lines of one paragraph: a line the text part wrapped joins the next with a space, a short line
    (a signature, an address) keeps its line break."""
    out = ""
    for index, line in enumerate(lines):
        out += _inline(line.strip())
        if index < len(lines) - 1:
            out += " " if len(line) >= _SOFT_WRAP else "<br>\n"
    return out


def _inline(line: str) -> str:
    """One line, escaped, with its web addresses as links."""
    out, position = "", 0
    for match in _URL.finditer(line):
        url = match.group(0).rstrip(_URL_TAIL)
        end = match.start() + len(url)
        out += escape(line[position : match.start()])
        out += f'<a href="{escape(url)}">{escape(url)}</a>'
        position = end
    return out + escape(line[position:])
