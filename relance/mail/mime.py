"""The MIME message of a reminder, from plain values: no database, no settings, so it can be checked alone.

`make_mime` builds what goes out: a multipart/alternative with the plain-text part first and the HTML part
last (clients show the last part they can display), both UTF-8, with the headers spam filters expect of a
legitimate message (From, To, Subject, Date, Message-ID, MIME-Version). Each body part gets the lightest
transfer encoding that keeps it intact through any relay: 7bit when it is ASCII in lines of at most 78
characters, else quoted-printable (lines of 76 at most, whatever the HTML looks like). Never base64:
filters read base64 text as disguised (SpamAssassin's MIME_BASE64_TEXT), and quoted-printable keeps a
mostly-ASCII message readable in its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

# RFC 5322 2.1.1: lines SHOULD stay within 78 characters (and MUST within 998).
_MAX_LINE = 78


def make_mime(
    from_: str,
    to: str,
    reply_to: str,
    subject: str,
    message_id: str,
    date: datetime,
    text: str,
    html: str,
    language: str,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A multipart/alternative message: `text` (text/plain) then `html` (text/html), both UTF-8.

    `date` must be timezone-aware (a naive one is refused: the Date header needs a zone). `message_id`
    is written as given, with angle brackets added when missing. `reply_to` may be empty (no header).
    `headers` are extra headers (for example X-Relance-Stage), added after the standard ones.
    """
    if date.tzinfo is None or date.utcoffset() is None:
        raise ValueError("make_mime needs a timezone-aware date for the Date header")
    email = EmailMessage()
    email["From"] = from_
    email["To"] = to
    if reply_to:
        email["Reply-To"] = reply_to
    email["Subject"] = subject
    email["Date"] = format_datetime(date)
    email["Message-ID"] = message_id if message_id.startswith("<") else f"<{message_id}>"
    for name, value in (headers or {}).items():
        email[name] = value
    # Built part by part: EmailMessage.set_content would drop the Content-* headers set before it (Content-
    # Language), and add_alternative leaves a MIME-Version header in the HTML part.
    email["MIME-Version"] = "1.0"
    email.make_alternative()
    for body, subtype in ((text, "plain"), (html, "html")):
        part = EmailMessage(policy=email.policy)
        part.set_content(_lines(body), subtype=subtype, charset="utf-8", cte=_cte(body))
        del part["MIME-Version"]  # only the top level has one
        email.attach(part)
    if language:
        email["Content-Language"] = language
    return email


def _lines(body: str) -> str:
    """Line endings made uniform (the email package writes CRLF on the wire) and a final newline."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    return body if body.endswith("\n") else body + "\n"


def _cte(body: str) -> str:
    if body.isascii() and all(len(line) <= _MAX_LINE for line in body.splitlines()):
        return "7bit"
    return "quoted-printable"
