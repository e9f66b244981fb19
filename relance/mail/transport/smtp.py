"""The Transport seam and its SMTP implementation: one connection, many messages."""

from __future__ import annotations

import copy
import logging
import smtplib
import ssl
from collections.abc import Iterable
from email.errors import MessageError
from email.generator import BytesGenerator
from email.message import Message
from email.utils import getaddresses
from io import BytesIO
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

from relance.mail.transport.config import SMTPConfig
from relance.mail.transport.errors import PermanentError, Stage, TransientError, TransportError, _reply_error

log = logging.getLogger(__name__)


@runtime_checkable
class Transport(Protocol):
    """What senders depend on: send one message or raise TransportError."""

    def send(self, msg: Message) -> None: ...


def envelope(msg: Message) -> tuple[str, list[str]]:
    """The SMTP envelope of `msg`: the sender (Return-Path, else Sender, else From) and the recipients
    (To, Cc and Bcc, each once). Raises PermanentError when either is missing."""
    sender = ""
    for name in ("Return-Path", "Sender", "From"):
        found = _addresses(msg.get_all(name, []))
        if found:
            sender = found[0]
            break
    if not sender:
        raise PermanentError("the message has no From address", stage="message")
    seen: set[str] = set()
    recipients: list[str] = []
    for address in _addresses([v for name in ("To", "Cc", "Bcc") for v in msg.get_all(name, [])]):
        if address.lower() not in seen:
            seen.add(address.lower())
            recipients.append(address)
    if not recipients:
        raise PermanentError("the message has no recipient (To, Cc or Bcc)", stage="message")
    return sender, recipients


def _addresses(values: Iterable[object]) -> list[str]:
    return [address for _name, address in getaddresses([str(v) for v in values]) if address]


# -- SMTP ------------------------------------------------------------------------------------------------


class SMTPTransport:
    """Sends messages over one SMTP connection, opened at the first send and kept for the next ones.

    Use it as a context manager (or call close()): leaving it says QUIT. After a transient failure the
    connection is dropped and the next send opens a new one; after a permanent one it is reset (RSET) and
    kept. A kept connection that the server closed while idle is reopened once, before anything of the
    message was sent. Not thread-safe: one per worker.
    """

    def __init__(self, config: SMTPConfig, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self._ssl_context = ssl_context
        self._conn: smtplib.SMTP | None = None
        self._sent_on_connection = 0
        self._stage: Stage = "connect"  # how far the current transaction got, for error reports

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> None:
        """Connect now rather than at the first send, e.g. to check the configuration."""
        self._connection()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()

    def send(self, msg: Message) -> None:
        sender, recipients = envelope(msg)
        utf8 = not all(address.isascii() for address in (sender, *recipients))
        for last_try in (False, True):
            conn = self._connection()
            reused = self._sent_on_connection > 0
            payload, options = self._encode(conn, msg, utf8)
            self._stage = "MAIL"
            try:
                refused = self._transaction(conn, sender, recipients, payload, options)
            except (smtplib.SMTPException, OSError) as exc:
                self._drop()
                if reused and self._stage == "MAIL" and not last_try:
                    continue  # the server closed the idle connection: nothing of this message was sent
                raise TransientError(f"{self._where()}: {_describe(exc)}", stage=self._stage) from exc
            self._sent_on_connection += 1
            if refused:
                log.warning("%s accepted %s but refused %s", self._where(), msg["Message-ID"], refused)
            return

    def _transaction(
        self, conn: smtplib.SMTP, sender: str, recipients: list[str], payload: bytes, options: list[str]
    ) -> dict[str, tuple[int, str]]:
        """MAIL, RCPT for each recipient, DATA; returns the refused recipients when some were accepted."""
        code, reply = conn.mail(sender, options)
        if code != 250:
            raise self._refusal(
                _reply_error(
                    code, f"{self._where()} refused sender <{sender}>: {code} {_text(reply)}", "MAIL"
                )
            )
        self._stage = "RCPT"
        refused: dict[str, tuple[int, str]] = {}
        for recipient in recipients:
            code, reply = conn.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, _text(reply))
                if code == 421:  # the server is closing the connection
                    break
        if refused and (len(refused) == len(recipients) or any(c == 421 for c, _ in refused.values())):
            raise self._refusal(self._recipients_error(refused))
        self._stage = "DATA"
        try:
            code, reply = conn.data(payload)
            text = _text(reply)
        except smtplib.SMTPDataError as exc:  # DATA itself refused, before the content was sent
            code, text = exc.smtp_code, _text(exc.smtp_error)
        if code != 250:
            raise self._refusal(
                _reply_error(code, f"{self._where()} refused the message: {code} {text}", "DATA")
            )
        return refused

    def _recipients_error(self, refused: dict[str, tuple[int, str]]) -> TransportError:
        # Permanent only when every refusal is: a recipient refused with 4xx may be accepted later.
        codes = [code for code, _ in refused.values()]
        code = next((c for c in codes if not 500 <= c <= 599), codes[0])
        listed = ", ".join(f"<{address}>: {c} {text}" for address, (c, text) in refused.items())
        return _reply_error(code, f"{self._where()} refused {listed}", "RCPT", refused)

    def _refusal(self, error: TransportError) -> TransportError:
        if error.permanent:
            try:
                self._conn_or_fail().rset()
            except (smtplib.SMTPException, OSError):
                self._drop()
        else:
            self._drop()
        return error

    def _encode(self, conn: smtplib.SMTP, msg: Message, utf8: bool) -> tuple[bytes, list[str]]:
        """The bytes to send and the MAIL FROM options, within what this server supports."""
        if utf8 and not conn.has_extn("smtputf8"):
            raise PermanentError(f"{self._where()} lacks SMTPUTF8, needed for a non-ASCII address")
        eight_bit = conn.has_extn("8bitmime")
        payload = _flatten(msg, utf8=utf8, eight_bit=eight_bit)
        options = ["SMTPUTF8"] if utf8 else []
        if not payload.isascii():
            if not eight_bit:
                raise PermanentError(f"{self._where()} lacks 8BITMIME and the message has 8-bit data")
            options.append("BODY=8BITMIME")
        if conn.has_extn("size"):
            options.append(f"SIZE={len(payload)}")
        return payload, options

    def _connection(self) -> smtplib.SMTP:
        if self._conn is not None and self._conn.sock is not None:
            return self._conn
        self._conn = self._open()
        self._sent_on_connection = 0
        return self._conn

    def _conn_or_fail(self) -> smtplib.SMTP:
        if self._conn is None:
            raise smtplib.SMTPServerDisconnected("not connected")
        return self._conn

    def _open(self) -> smtplib.SMTP:
        cfg = self.config
        conn: smtplib.SMTP | None = None
        try:
            if cfg.security == "tls":
                conn = smtplib.SMTP_SSL(
                    cfg.host, cfg.port, cfg.local_hostname, timeout=cfg.timeout, context=self._tls()
                )
            else:
                conn = smtplib.SMTP(cfg.host, cfg.port, cfg.local_hostname, timeout=cfg.timeout)
            conn.ehlo_or_helo_if_needed()
            if cfg.security == "starttls":
                conn.starttls(context=self._tls())
                conn.ehlo_or_helo_if_needed()
            if cfg.username:
                conn.login(cfg.username, cfg.password)
        except (smtplib.SMTPException, OSError) as exc:
            if conn is not None:
                conn.close()
            code = exc.smtp_code if isinstance(exc, smtplib.SMTPResponseException) else None
            raise TransientError(
                f"cannot connect to {self._where()}: {_describe(exc)}", code, stage="connect"
            ) from exc
        return conn

    def _tls(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
            if not self.config.ssl_verify:
                self._ssl_context.check_hostname = False
                self._ssl_context.verify_mode = ssl.CERT_NONE
        return self._ssl_context

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _where(self) -> str:
        return f"{self.config.host}:{self.config.port}"


def _flatten(msg: Message, *, utf8: bool, eight_bit: bool) -> bytes:
    """Serialise without Bcc and Return-Path (the envelope carries them), CRLF line ends; with
    `eight_bit` false, 8-bit text parts are re-encoded (quoted-printable or base64)."""
    clean = copy.copy(msg)  # shallow, but deleting headers rebinds the copy's header list only
    for name in ("Bcc", "Resent-Bcc", "Return-Path"):
        del clean[name]
    changes: dict[str, Any] = {"linesep": "\r\n", "cte_type": "8bit" if eight_bit else "7bit"}
    if utf8 and hasattr(msg.policy, "utf8"):
        changes["utf8"] = True
    buffer = BytesIO()
    try:
        BytesGenerator(buffer, policy=msg.policy.clone(**changes)).flatten(clean)
    except (MessageError, ValueError, TypeError, LookupError) as exc:  # e.g. a newline in a header
        raise PermanentError(f"the message cannot be serialised: {exc}") from exc
    return buffer.getvalue()


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return str(exc) or type(exc).__name__


# -- in memory -------------------------------------------------------------------------------------------
