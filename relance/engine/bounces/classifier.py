"""Classify a message that came back: a bounce (hard or soft), a complaint, an auto-reply, or none of these.

Pure: takes the raw bytes, returns a Verdict. Rules of thumb (see also phrases.py):

- hard means the address itself is bad: the user or the domain does not exist, or the address has moved
  (RFC 3463 X.1.1, X.1.2, X.1.3, X.1.6, X.1.10, X.4.4 with a 5 class, or the matching phrases).
- soft is every other failure: the mailbox exists or may exist again. This includes 5.2.2 "mailbox full"
  (a person can empty it), 5.2.1 "mailbox disabled/suspended" (it may be re-enabled), and 5.7.x policy
  refusals (blocked, spam, SPF/DKIM/DMARC, reputation, relaying): these say something about our message or
  our server, not about the customer's address, so they must not mark the customer undeliverable.
- any 4.x.x status, a 4xx reply or a "delayed" action is soft, whatever the text says.
- a bounce whose text names no reason and carries a bare 5.0.0 / 550 is soft: without evidence that the
  address is gone, the customer is not marked undeliverable (repeated soft bounces are the caller's call).
- "user unknown" words are weighed against the SMTP command they answered and the status, as sisimai does
  (Filtered vs UserUnknown): after DATA, or with an X.2.x (mailbox exists) or X.7.x (policy) status and no
  sign of RCPT TO, they are a filter's and soft, unless the provider states that the account does not exist.
- a refusal of MAIL FROM or of HELO/EHLO is about our sender or our host, never the customer's address.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import json
import re
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from relance.engine.bounces import phrases

HARD, SOFT, COMPLAINT, AUTO_REPLY, NOT_BOUNCE = "hard", "soft", "complaint", "auto_reply", "not_bounce"

_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_REPLY_CODE = re.compile(r"(?<![\d.#-])([245][0-5]\d)(?:[ -]|$)", re.MULTILINE)
_ADDRESS = re.compile(r"<?([A-Za-z0-9._%+'=/-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?")
_MESSAGE_ID = re.compile(r"^message-id:\s*(<[^>\s]+>|\S+)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Verdict:
    kind: str  # hard | soft | complaint | auto_reply | not_bounce
    recipient: str = ""  # the address that failed (or complained)
    status: str = ""  # RFC 3463 status such as 5.1.1, else an SMTP reply code, else ""
    reason: str = ""  # the diagnostic text, shortened
    original_message_id: str = ""  # Message-ID of the message that came back, with <>
    category: str = ""  # userunknown, hostunknown, mailboxfull, blocked, expired, suspend, feedback...
    message_id: str = ""  # the bounce's own Message-ID
    addressed_to: tuple[str, ...] = field(default=())  # where the bounce was sent (To, Delivered-To...)

    @property
    def is_bounce(self) -> bool:
        return self.kind in (HARD, SOFT)


def classify(raw: bytes) -> Verdict:
    msg = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=email.policy.compat32)
    own_id = _header(msg, "Message-ID").strip()
    addressed = _addressed_to(msg)
    base: dict[str, Any] = {"message_id": own_id, "addressed_to": addressed}

    report_type = (msg.get_param("report-type", header="content-type") or "").__str__().lower()
    feedback = _find_part(msg, "message/feedback-report")
    if report_type == "feedback-report" or feedback is not None:
        return _complaint(msg, feedback, base)

    dsn = _find_part(msg, "message/delivery-status")
    blocks = _dsn_blocks(dsn) if dsn is not None else _dsn_blocks_in_text(_split_text(msg)[0])
    if blocks:
        verdict = _from_dsn(msg, blocks, base)
        if verdict is not None:
            return verdict

    notification = _ses_notification(_split_text(msg)[0])
    if notification is not None:
        return Verdict(**{**notification.__dict__, **base})

    subject = _header(msg, "Subject")
    sender = _header(msg, "From") + " " + _header(msg, "Return-Path") + " " + _header(msg, "Sender")
    looks_bounced = bool(
        dsn is not None
        or msg.get("X-Failed-Recipients")
        or (phrases.BOUNCE_SUBJECT.search(subject) and not _is_reply_subject(subject))
        or phrases.DAEMON_SENDER.search(sender)
        or _returns_a_message_from_the_null_sender(msg, subject)
    )
    if not looks_bounced and _is_auto_reply(msg, subject):
        return Verdict(AUTO_REPLY, recipient=_first_address(_header(msg, "From")), **base)
    if not looks_bounced:
        return Verdict(NOT_BOUNCE, **base)

    text, original = _split_text(msg)
    status = _status_in(text)
    recipient = _header(msg, "X-Failed-Recipients").split(",")[0].strip() or _recipient_in(text, msg)
    return _decide(
        status=status,
        action="",
        diagnostic=text,
        recipient=recipient,
        original_message_id=_original_message_id(msg, original),
        base=base,
    )


# --- Amazon SES notifications sent by e-mail (SNS) ----------------------------------------------------


_SNS_ENVELOPE = re.compile(r'\{\s*"Type"\s*:\s*"Notification"')


def _ses_payload(text: str) -> dict[str, Any] | None:
    """The SES notification: bare JSON, or the "Message" string of the SNS envelope that carries it."""
    start = text.find('{"notificationType"')
    envelope = _SNS_ENVELOPE.search(text) if start < 0 else None
    if envelope is not None:
        start = envelope.start()
    if start < 0:
        return None
    body = re.sub(r"!?\n ", "", text[start:])  # SNS e-mails fold long lines
    try:
        data, _ = json.JSONDecoder().raw_decode(body)
        if envelope is not None:
            data = json.loads(data.get("Message", ""))
    except (ValueError, TypeError, AttributeError):
        return None
    return data if isinstance(data, dict) and "notificationType" in data else None


def _ses_notification(text: str) -> Verdict | None:
    data = _ses_payload(text)
    if data is None:
        return None
    kind = str(data.get("notificationType", "")).lower()
    mail = data.get("mail") or {}
    headers = {str(h.get("name", "")).lower(): str(h.get("value", "")) for h in mail.get("headers") or []}
    original_id = headers.get("message-id", "")
    if kind == "complaint":
        complaint = data.get("complaint") or {}
        who = (complaint.get("complainedRecipients") or [{}])[0].get("emailAddress", "")
        feedback = complaint.get("complaintFeedbackType", "abuse")
        return Verdict(
            COMPLAINT, recipient=who, reason=feedback, original_message_id=original_id, category="feedback"
        )
    if kind != "bounce":
        return Verdict(NOT_BOUNCE, original_message_id=original_id)
    bounce = data.get("bounce") or {}
    first = (bounce.get("bouncedRecipients") or [{}])[0]
    diagnostic = _strip_type(str(first.get("diagnosticCode", "")))
    status = str(first.get("status", ""))
    hard = bounce.get("bounceType") == "Permanent" and bounce.get("bounceSubType") in ("General", "NoEmail")
    verdict = _decide(
        status=status, action="failed", diagnostic=diagnostic, recipient=first.get("emailAddress", ""),
        original_message_id=original_id, base={}, primary=diagnostic,
    )  # fmt: skip
    if verdict.kind == HARD and not hard:
        return Verdict(SOFT, **{k: v for k, v in verdict.__dict__.items() if k != "kind"})
    return verdict


def _returns_a_message_from_the_null_sender(msg: Message, subject: str) -> bool:
    """Sent from the null reverse-path (RFC 5321 4.5.5) with the message attached: a non-delivery report that
    names no daemon, unless it is a read receipt (RFC 8098) or an auto-reply, which come from <> too."""
    if _header(msg, "Return-Path").strip() != "<>" or _returned(msg) is None:
        return False
    if _find_part(msg, "message/disposition-notification") is not None:
        return False
    return not _is_auto_reply(msg, subject)


# --- complaints ---------------------------------------------------------------------------------------


def _complaint(msg: Message, feedback: Message | None, base: dict[str, Any]) -> Verdict:
    fields = _fields(feedback) if feedback is not None else {}
    original = _returned(msg)
    recipient = (
        _strip_type(fields.get("original-rcpt-to", ""))
        or _strip_type(fields.get("removal-recipient", ""))
        or (_first_address(_header(original, "To")) if original is not None else "")
    )
    return Verdict(
        COMPLAINT,
        recipient=recipient,
        reason=fields.get("feedback-type", "abuse"),
        original_message_id=_original_message_id(msg, ""),
        category="feedback",
        **base,
    )


# --- RFC 3464 DSNs ------------------------------------------------------------------------------------


def _from_dsn(msg: Message, blocks: list[dict[str, str]], base: dict[str, Any]) -> Verdict | None:
    recipients = [b for b in blocks if "final-recipient" in b or "original-recipient" in b or "action" in b]
    if not recipients:
        return None
    failed = [b for b in recipients if b.get("action", "").lower().startswith(("failed", "delayed"))]
    if not failed:
        if all(b.get("action", "").lower() in _SUCCESS_ACTIONS for b in recipients):
            return Verdict(NOT_BOUNCE, original_message_id=_original_message_id(msg, ""), **base)
        failed = recipients
    block = failed[0]
    recipient = _strip_type(block.get("final-recipient", "")) or _strip_type(
        block.get("original-recipient", "")
    )
    diagnostic = _strip_type(block.get("diagnostic-code", ""))
    status = block.get("status", "").strip().split(" ")[0]
    text, _ = _split_text(msg)
    if not _STATUS.fullmatch(status or "-"):
        status = _status_in(diagnostic) or _status_in(text)
    elif status.endswith(".0.0") or status in ("5.0.0", "4.0.0"):
        status = _status_in(diagnostic) or status
    return _decide(
        status=status,
        action=block.get("action", "").lower(),
        diagnostic=diagnostic + "\n" + text if diagnostic else text,
        recipient=recipient,
        original_message_id=_original_message_id(msg, ""),
        base=base,
        primary=diagnostic,
    )


# "deliverable" is what Postfix writes in the report of an address verification (sendmail -bv).
_SUCCESS_ACTIONS = ("delivered", "relayed", "expanded", "deliverable")


def _dsn_blocks(dsn: Message) -> list[dict[str, str]]:
    payload = dsn.get_payload()
    if isinstance(payload, list):
        return [_fields(part) for part in payload if isinstance(part, Message)]
    raw = payload if isinstance(payload, str) else ""
    blocks = []
    for chunk in re.split(r"\n\s*\n", raw.replace("\r\n", "\n")):
        parsed = email.message_from_string(chunk.strip() + "\n", policy=email.policy.compat32)
        blocks.append(_fields(parsed))
    return [b for b in blocks if b]


_DSN_FIELD = re.compile(
    r"^(final-recipient|original-recipient|action|status|diagnostic-code):[ \t]*(.*(?:\n[ \t]+.*)*)",
    re.IGNORECASE | re.MULTILINE,
)


def _dsn_blocks_in_text(text: str) -> list[dict[str, str]]:
    """DSN fields found in plain text: a report whose MIME structure is broken, or pasted inline."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for match in _DSN_FIELD.finditer(text):
        key, value = match.group(1).lower(), re.sub(r"\s+", " ", match.group(2)).strip()
        if key in current or (key == "final-recipient" and "original-recipient" not in current and current):
            blocks.append(current)
            current = {}
        current[key] = value
    if current:
        blocks.append(current)
    return [b for b in blocks if "action" in b or "status" in b]


def _fields(part: Message) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in part.items():
        key = key.lower()
        if key not in out:
            out[key] = re.sub(r"\s+", " ", str(value)).strip()
    return out


# --- the decision -------------------------------------------------------------------------------------


def _decide(
    *,
    status: str,
    action: str,
    diagnostic: str,
    recipient: str,
    original_message_id: str,
    base: dict[str, Any],
    primary: str = "",
) -> Verdict:
    code = status or _reply_code(primary or diagnostic)
    detail = ".".join(status.split(".")[1:]) if status else ""
    status_category = phrases.STATUS_REASONS.get(detail, "")
    # The diagnostic's own words first, then a precise status, then the words of the whole bounce.
    category = _category(primary) or _first_category(_code_lines(diagnostic)) or _category(diagnostic)
    category = category or status_category
    if detail in ("1.7", "1.8"):
        category = "rejected"  # a bad sender address: ours, not the customer's
    stage = _smtp_stage(diagnostic)
    if category in phrases.HARD_REASONS and stage in ("HELO", "EHLO"):
        category = "blocked"  # our own host name was refused before any address was named
    elif category in phrases.HARD_REASONS and stage == "MAIL":
        category = "rejected"  # no recipient is named before RCPT TO: MAIL FROM was refused for our sender
    elif category == "userunknown" and _filtered(detail, stage, diagnostic):
        category = "filtered"  # the mailbox exists (or may): a filter answered with user-unknown words
    if not category and status.startswith("5.7"):
        category = "blocked"
    temporary = code.startswith("4") or action.startswith("delayed")
    hard = category in phrases.HARD_REASONS and not temporary
    reason = _short(primary or _diagnostic_line(diagnostic))
    return Verdict(
        HARD if hard else SOFT,
        recipient=recipient,
        status=code,
        reason=reason,
        original_message_id=original_message_id,
        category=category or ("expired" if action.startswith("delayed") else "undefined"),
        **base,
    )


def _filtered(detail: str, stage: str, diagnostic: str) -> bool:
    """A "user unknown" text that the rest of the bounce contradicts: sisimai's Filtered, not UserUnknown.

    Only RCPT TO refuses an address, and a status of the address class (X.1.x) confirms one. Without either,
    the words are a filter's when the reply came after DATA (the recipient had been accepted), or when the
    status says the mailbox exists (X.2.x) or names a policy refusal (X.7.x). A provider's own statement that
    the account does not exist (phrases.DEFINITE_USERUNKNOWN) stands whatever the command or the status.
    """
    if stage == "RCPT" or detail.startswith("1."):
        return False
    if phrases.DEFINITE_USERUNKNOWN.search(re.sub(r"\s+", " ", diagnostic)):
        return False
    return stage == "DATA" or detail.split(".")[0] in ("2", "7")


def _category(text: str) -> str:
    if not text:
        return ""
    text = re.sub(r"\s+", " ", text)
    for reason, patterns in phrases.REASONS:
        if any(p.search(text) for p in patterns):
            return reason
    return ""


def _code_lines(text: str) -> list[str]:
    """The lines that carry an SMTP reply code or a status, each with its continuation lines."""
    lines = text.splitlines()
    chunks: list[str] = []
    for i, line in enumerate(lines):
        if _STATUS.search(line) or _REPLY_CODE.search(line.strip()):
            chunk = [line]
            for following in lines[i + 1 : i + 3]:
                if following[:1] not in (" ", "\t") or not following.strip():
                    break
                chunk.append(following)
            chunks.append("\n".join(chunk))
    return chunks


def _first_category(chunks: list[str]) -> str:
    """The reason of the first failure that names one (a bounce for several recipients lists several)."""
    return next((category for chunk in chunks if (category := _category(chunk))), "")


def _smtp_stage(text: str) -> str:
    """The SMTP command the (first) failure answered: DATA, RCPT, MAIL, or "" when the text does not say."""
    match = phrases.SMTP_STAGE.search(text)
    if match:
        name, words = next((k, v) for k, v in match.groupdict().items() if v)
        return words.split()[0][:4].upper() if name.startswith("cmd") else name.upper()
    command = ""
    for line in phrases.TRANSCRIPT_LINE.finditer(text):
        if line.group("out"):
            command = line.group("command").upper()
        elif line.group("code") in ("4", "5"):
            return command
    return ""


def _status_in(text: str) -> str:
    found = [m.group(0) for m in _STATUS.finditer(text)]
    precise = [s for s in found if not s.endswith(".0.0")]
    return (precise or found or [""])[0]


def _reply_code(text: str) -> str:
    match = _REPLY_CODE.search(text)
    return match.group(1) if match else ""


def _diagnostic_line(text: str) -> str:
    for line in text.splitlines():
        if _STATUS.search(line) or _REPLY_CODE.search(line) or _category(line):
            return line.strip()
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _short(text: str, limit: int = 500) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- auto-replies -------------------------------------------------------------------------------------


def _is_reply_subject(subject: str) -> bool:
    return bool(re.match(r"\s*(?:re|aw|sv|antw|réf|ref)\s*:", subject, re.IGNORECASE))


def _is_auto_reply(msg: Message, subject: str) -> bool:
    auto = _header(msg, "Auto-Submitted").lower()
    if auto.startswith("auto-replied") or auto.startswith("auto-notified"):
        return True
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or msg.get("X-Autoreply-From"):
        return True
    if _header(msg, "X-Auto-Response-Suppress") and phrases.AUTO_REPLY_SUBJECT.search(subject):
        return True
    if _header(msg, "Precedence").lower().strip() == "auto_reply":
        return True
    return bool(phrases.AUTO_REPLY_SUBJECT.search(subject))


# --- reading the message ------------------------------------------------------------------------------


def _header(msg: Message | None, name: str) -> str:
    if msg is None:
        return ""
    found = [v for k, v in msg.raw_items() if k.lower() == name.lower()]
    if not found:
        return ""
    value = str(found[0])
    if any("\udc80" <= c <= "\udcff" for c in value):  # raw 8-bit bytes in a header: most often UTF-8
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except Exception:
        return str(value)


def _addressed_to(msg: Message) -> tuple[str, ...]:
    found: list[str] = []
    for name in ("X-Relance-Envelope-To", "Delivered-To", "X-Original-To", "Envelope-To", "To"):
        for value in msg.get_all(name) or []:
            for match in _ADDRESS.finditer(str(value)):
                if match.group(1).lower() not in found:
                    found.append(match.group(1).lower())
    return tuple(found)


def _find_part(msg: Message, content_type: str) -> Message | None:
    for part in msg.walk():
        if part.get_content_type() == content_type:
            return part
    return None


def _returned(msg: Message) -> Message | None:
    """The returned message (message/rfc822) or its headers (text/rfc822-headers), parsed."""
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
        if ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            return email.message_from_string(_text_of(part), policy=email.policy.compat32)
    return None


def _original_message_id(msg: Message, inline: str) -> str:
    returned = _returned(msg)
    if returned is not None and returned.get("Message-ID"):
        return str(returned.get("Message-ID")).strip()
    own = _header(msg, "Message-ID").strip()
    for text in (inline, *(_text_of(p) for p in msg.walk() if p.get_content_maintype() == "text")):
        for match in _MESSAGE_ID.finditer(text):
            if match.group(1).strip() != own:
                return match.group(1).strip()
    return ""


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    assert isinstance(payload, bytes)
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _split_text(msg: Message) -> tuple[str, str]:
    """(the bounce's own text, the returned message quoted inline), without the attached original."""
    texts: list[str] = []

    def visit(part: Message) -> None:
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            return
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    visit(sub)
            return
        if part.get_content_maintype() == "multipart":  # a broken MIME structure: read it as text
            texts.append(payload if isinstance(payload, str) else "")
            return
        if ctype == "text/html" and texts:
            return
        if part.get_content_maintype() == "text" or ctype == "message/delivery-status":
            text = _text_of(part)
            if ctype == "text/html":
                text = re.sub(r"<[^>]+>", " ", text)
            texts.append(text)

    visit(msg)
    text = "\n".join(texts)
    marker = phrases.ORIGINAL_MARKERS.search(text)
    if marker:
        return text[: marker.start()], text[marker.start() :]
    return text, ""


def _recipient_in(text: str, msg: Message) -> str:
    skip = {a.lower() for a in _ADDRESS.findall(_header(msg, "From") + " " + _header(msg, "To"))}
    for match in _ADDRESS.finditer(text):
        address = match.group(1)
        local = address.split("@")[0].lower()
        if address.lower() in skip or local in ("mailer-daemon", "postmaster", "root"):
            continue
        return address
    return ""


def _first_address(value: str) -> str:
    match = _ADDRESS.search(value)
    return match.group(1) if match else ""


def _strip_type(value: str) -> str:
    """'rfc822; bob@x' → 'bob@x'; 'smtp; 550 ...' → '550 ...'."""
    value = value.strip()
    if ";" in value:
        head, rest = value.split(";", 1)
        if re.fullmatch(r"[A-Za-z0-9-]+", head.strip()):
            value = rest.strip()
    return value.strip("<> ") if "@" in value and " " not in value.strip() else value
