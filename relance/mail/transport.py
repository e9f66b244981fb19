"""Sending e-mail: the `Transport` seam, its SMTP implementation and an in-memory one for tests.

Nothing here touches Django or its settings: the SMTP configuration comes in as an `SMTPConfig`, usually
parsed from the EMAIL_URL environment variable by `SMTPConfig.from_url`. Every failure comes out as a
`TransportError` whose `permanent` flag tells the outbox whether sending the same message again can ever
work: SMTP 4xx replies, timeouts and network failures are transient, 5xx replies permanent.

Delivery is at-least-once: when the connection dies after the message data was sent but before the
server's final reply, the server may have queued it, yet we can only report a transient error. A retry
then sends it twice, with the same Message-ID.
"""

from __future__ import annotations

import copy
import logging
import math
import re
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.errors import MessageError
from email.generator import BytesGenerator
from email.message import Message
from email.utils import getaddresses
from io import BytesIO
from types import TracebackType
from typing import Any, Literal, Protocol, Self, runtime_checkable
from urllib.parse import parse_qsl, unquote, urlsplit

log = logging.getLogger(__name__)

Security = Literal["none", "starttls", "tls"]
# Where a send failed: "connect" covers TCP, TLS, EHLO and AUTH (nothing about this message: the next one
# will fail the same way, so a caller may stop its batch); "message" means our own checks refused it.
Stage = Literal["connect", "MAIL", "RCPT", "DATA", "message"]

_SCHEMES: dict[str, Security] = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "tls"}
_DEFAULT_PORTS: dict[Security, int] = {"none": 25, "starttls": 587, "tls": 465}
_OPTIONS = ("starttls", "timeout", "local_hostname", "ssl_verify")


# -- configuration -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SMTPConfig:
    """Where and how to connect. The password stays out of repr() and str(), so logging a config is safe."""

    host: str
    port: int = 25
    username: str = ""  # empty: no AUTH
    password: str = field(default="", repr=False)
    security: Security = "none"
    timeout: float = 30.0  # seconds, for each network operation
    local_hostname: str = "localhost"  # sent in EHLO; a fixed name spares a slow socket.getfqdn()
    ssl_verify: bool = True

    @classmethod
    def from_url(cls, url: str) -> SMTPConfig:
        """Parse an EMAIL_URL.

        Forms: ``smtp://[user:password@]host[:port]`` (plain, port 25), ``smtp+starttls://...`` or
        ``smtp://...?starttls=true`` (STARTTLS, port 587), ``smtps://...`` (TLS from the start, port 465).
        The user name and password are percent-decoded: write ``/ ? # @ : %`` in them as ``%2F %3F %23
        %40 %3A %25``. Query options: ``timeout`` (seconds, default 30), ``local_hostname`` (the EHLO name,
        default ``localhost``), ``starttls=true|false``, ``ssl_verify=false`` to accept any certificate
        (for a relay with a self-signed certificate on a private network only: it gives up the protection
        TLS is there for). A bad URL raises ValueError naming EMAIL_URL and the problem, never the password.
        """
        return _parse_url(url)

    def __str__(self) -> str:
        scheme = {"none": "smtp", "starttls": "smtp+starttls", "tls": "smtps"}[self.security]
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{user}{host}:{self.port}"


def _invalid(reason: str) -> ValueError:
    return ValueError(f"EMAIL_URL is invalid: {reason}")


def _parse_url(url: str) -> SMTPConfig:
    # Error messages quote nothing that could be part of the password: a password with an unencoded
    # '/', '?' or '#' ends the host part early and spills into the path, the port or the query.
    url = url.strip()
    if not url:
        raise _invalid("it is empty")
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in _SCHEMES:
        shown = f" (got {scheme!r})" if re.fullmatch(r"[a-z0-9+.-]{1,20}", scheme) else ""
        raise _invalid(f"it must start with smtp://, smtp+starttls:// or smtps://{shown}")
    parts = urlsplit(url)
    if "@" in url[len(scheme) + 3 + len(parts.netloc) :]:
        raise _invalid("an '@' comes after the host: percent-encode '/', '?', '#' and '@' in the password")
    if not parts.hostname:
        raise _invalid("it names no host")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise _invalid("the port must be a number from 1 to 65535")
    if parts.path not in ("", "/") or parts.fragment:
        raise _invalid("it must have nothing after the host and port but ?options")
    username = unquote(parts.username or "")
    if parts.password is not None and not username:
        raise _invalid("it has a password but no user name")
    if username and parts.password is None:
        raise _invalid("it has a user name but no password (write user:password@host)")
    options = _parse_options(parts.query)
    security = _security(_SCHEMES[scheme], options)
    ssl_verify = _parse_bool("ssl_verify", options.get("ssl_verify", "true"))
    if not ssl_verify and security == "none":
        raise _invalid("ssl_verify applies only to smtps:// or STARTTLS")
    return SMTPConfig(
        host=parts.hostname,
        port=port or _DEFAULT_PORTS[security],
        username=username,
        password=unquote(parts.password or ""),
        security=security,
        timeout=_parse_timeout(options.get("timeout", "30")),
        local_hostname=_parse_hostname(options.get("local_hostname", "localhost")),
        ssl_verify=ssl_verify,
    )


def _parse_options(query: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in _OPTIONS:
            raise _invalid(f"unknown option {key!r} (known: {', '.join(_OPTIONS)})")
        if key in options:
            raise _invalid(f"option {key!r} is given twice")
        options[key] = value
    return options


def _security(from_scheme: Security, options: Mapping[str, str]) -> Security:
    if "starttls" not in options:
        return from_scheme
    wanted = _parse_bool("starttls", options["starttls"])
    if from_scheme == "tls":
        raise _invalid("the starttls option does not apply to smtps://, which is TLS from the start")
    if from_scheme == "starttls" and not wanted:
        raise _invalid("smtp+starttls:// contradicts starttls=false")
    return "starttls" if wanted else "none"


def _parse_bool(name: str, value: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise _invalid(f"option {name!r} must be true or false, not {value!r}")
    return value.lower() == "true"


def _parse_timeout(value: str) -> float:
    try:
        timeout = float(value)
    except ValueError:
        timeout = math.nan
    if not (math.isfinite(timeout) and timeout > 0):
        raise _invalid(f"option 'timeout' must be a positive number of seconds, not {value!r}")
    return timeout


def _parse_hostname(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", value):
        raise _invalid(f"option 'local_hostname' must be a host name, not {value!r}")
    return value


# -- errors ----------------------------------------------------------------------------------------------


class TransportError(Exception):
    """Sending failed. `permanent`: the same message can never go through (SMTP 5xx); otherwise try later.

    `code` is the SMTP reply code when there was one, `stage` where it failed (see `Stage`), `refused` the
    refused recipients with their (code, reply) when the failure was theirs.
    """

    def __init__(
        self,
        message: str,
        permanent: bool,
        code: int | None = None,
        *,
        stage: Stage = "message",
        refused: Mapping[str, tuple[int, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code
        self.stage: Stage = stage
        self.refused = dict(refused or {})

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take other arguments than self.args: rebuild through the base initialiser, so that
        # copy.copy() and pickle work for all of them.
        state = (self.message, self.permanent, self.code, self.stage, self.refused)
        return (_rebuild_error, (type(self), *state))


class TransientError(TransportError):
    """A failure that may go away: SMTP 4xx, timeout, refused or broken connection, failed login."""

    def __init__(
        self,
        message: str,
        code: int | None = None,
        *,
        stage: Stage = "message",
        refused: Mapping[str, tuple[int, str]] | None = None,
    ) -> None:
        super().__init__(message, False, code, stage=stage, refused=refused)


class PermanentError(TransportError):
    """A failure that sending again will repeat: SMTP 5xx, or a message we cannot send at all."""

    def __init__(
        self,
        message: str,
        code: int | None = None,
        *,
        stage: Stage = "message",
        refused: Mapping[str, tuple[int, str]] | None = None,
    ) -> None:
        super().__init__(message, True, code, stage=stage, refused=refused)


def _rebuild_error(
    cls: type[TransportError],
    message: str,
    permanent: bool,
    code: int | None,
    stage: Stage,
    refused: dict[str, tuple[int, str]],
) -> TransportError:
    error = Exception.__new__(cls)
    TransportError.__init__(error, message, permanent, code, stage=stage, refused=refused)
    return error


def _reply_error(
    code: int, text: str, stage: Stage, refused: Mapping[str, tuple[int, str]] | None = None
) -> TransportError:
    error_type = PermanentError if 500 <= code <= 599 else TransientError
    return error_type(text, code, stage=stage, refused=refused)


# -- the seam ---------------------------------------------------------------------------------------------


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


@dataclass
class _Failure:
    error: TransportError
    recipients: frozenset[str] | None  # None: every message
    remaining: int | None  # None: for ever


class MemoryTransport:
    """A `Transport` for tests of its callers: keeps the messages it is given, fails when told to.

    `sent` holds the messages accepted, `failed` the (message, error) pairs it refused. It checks what SMTP
    would check first: the envelope, and that the message serialises.
    """

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self.failed: list[tuple[Message, TransportError]] = []
        self._failures: list[_Failure] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        pass

    def fail(
        self, error: TransportError, *, recipients: Iterable[str] | None = None, times: int | None = None
    ) -> None:
        """Raise `error` for messages to any of `recipients` (all messages if None), `times` times."""
        wanted = None if recipients is None else frozenset(r.lower() for r in recipients)
        self._failures.append(_Failure(error, wanted, times))

    def send(self, msg: Message) -> None:
        _sender, recipients = envelope(msg)
        _flatten(msg, utf8=True, eight_bit=True)
        for failure in self._failures:
            if failure.remaining != 0 and (
                failure.recipients is None or any(r.lower() in failure.recipients for r in recipients)
            ):
                if failure.remaining is not None:
                    failure.remaining -= 1
                error = copy.copy(failure.error)
                self.failed.append((msg, error))
                raise error
        self.sent.append(msg)
