"""Real SMTP servers on loopback (aiosmtpd) for tests; a pytest plugin, loaded by tests/conftest.py.

Every server listens on a port the OS picked (see relance.mail.sink.BoundController), so parallel
pytest-xdist workers never collide, and every fixture stops what it started.

- ``smtp_server``: accepts everything; ``.received`` lists what came in, ``.url`` is an EMAIL_URL for it.
- ``smtp_flaky``: answers ``421 Service not available, try later`` to the first RCPT (and closes the
  connection, as RFC 5321 says a server does after 421), then accepts.
- ``smtp_rejecting``: answers ``550 5.1.1 mailbox unavailable`` to every RCPT.
- ``smtp_server_factory``: ``make(**smtp_options)`` for anything else (TLS, no SMTPUTF8, AUTH...);
  script replies with ``server.reply("DATA", "451 ...", times=1)``, ``server.reply("DATA", None,
  close=True)`` (answer as usual, then hang up) or ``server.delay("DATA", 2.0)``.
- ``closed_port``: a port where nothing listens (connections are refused); ``silent_port``: one that
  accepts TCP connections and then never says a word (for timeouts).
- ``tls_files``: a self-signed certificate and key for localhost/127.0.0.1 (needs the openssl command).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal, cast

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from relance.mail.sink import BoundController

Command = Literal["MAIL", "RCPT", "DATA"]


@dataclass(frozen=True)
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    mail_options: list[str]
    data: bytes  # exactly as received (CRLF line ends)
    peer: Any  # the client's (host, port): one value for all messages sent over one connection

    @property
    def message(self) -> EmailMessage:
        """The message parsed, with line ends made \\n as a mail client would show them."""
        data = self.data.replace(b"\r\n", b"\n")
        return cast(EmailMessage, email.message_from_bytes(data, policy=email.policy.default))


@dataclass
class _Rule:
    command: Command
    status: str | None  # None: answer as usual (after the delay)
    delay: float
    address: str | None  # MAIL/RCPT rules for one address only
    remaining: int | None  # None: for ever
    close: bool  # close the connection after replying


class RecordingHandler:
    """An aiosmtpd handler that records messages and answers as scripted; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._rules: list[_Rule] = []

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def reply(
        self,
        command: Command,
        status: str | None,
        *,
        times: int | None = None,
        address: str | None = None,
        close: bool = False,
    ) -> None:
        """Answer `command` with `status` (None: as usual), `times` times or always, then close the
        connection if `close` (always after a 421, as RFC 5321 says a server does)."""
        with self._lock:
            self._rules.append(_Rule(command, status, 0.0, address, times, close))

    def delay(self, command: Command, seconds: float, *, times: int | None = None) -> None:
        """Wait `seconds` before answering `command`."""
        with self._lock:
            self._rules.append(_Rule(command, None, seconds, None, times, False))

    def _take(self, command: Command, address: str | None = None) -> _Rule | None:
        with self._lock:
            for rule in self._rules:
                wanted = rule.address is None or (address or "").lower() == rule.address.lower()
                if rule.command == command and rule.remaining != 0 and wanted:
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    return rule
        return None

    async def _scripted(self, server: SMTP, command: Command, address: str | None = None) -> _Rule | None:
        rule = self._take(command, address)
        if rule is None:
            return None
        if rule.delay:
            await asyncio.sleep(rule.delay)
        closing = rule.close or (rule.status or "").startswith("421")
        if closing and server.transport is not None:
            # Runs after the reply is written (the hook's caller writes it before yielding).
            server.loop.call_soon(server.transport.close)
        return rule

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        rule = await self._scripted(server, "MAIL", address)
        if rule is None or rule.status is None:
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
            return "250 OK"
        return rule.status

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        rule = await self._scripted(server, "RCPT", address)
        if rule is None or rule.status is None:
            envelope.rcpt_tos.append(address)
            return "250 OK"
        return rule.status

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        rule = await self._scripted(server, "DATA")
        if rule is None or rule.status is None:
            received = Received(
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                mail_options=list(envelope.mail_options),
                data=envelope.original_content or b"",
                peer=session.peer,
            )
            with self._lock:
                self._received.append(received)
            return "250 OK: queued"
        return rule.status


class SMTPTestServer:
    """An aiosmtpd server on 127.0.0.1 with a RecordingHandler. `smtp_options` go to aiosmtpd's
    Controller and SMTP (e.g. ``enable_SMTPUTF8=False``, ``tls_context=...``, ``ssl_context=...``)."""

    def __init__(self, host: str = "127.0.0.1", **smtp_options: Any) -> None:
        self.handler = RecordingHandler()
        self.host = host
        self._controller = BoundController(self.handler, hostname=host, port=0, **smtp_options)
        self.scheme = "smtps" if smtp_options.get("ssl_context") else "smtp"

    def start(self) -> SMTPTestServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop(no_assert=True)

    @property
    def port(self) -> int:
        port: int = self._controller.port
        return port

    @property
    def url(self) -> str:
        """An EMAIL_URL for this server, with a short timeout so a failing test does not hang."""
        return f"{self.scheme}://{self.host}:{self.port}?timeout=5"

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.handler.received]

    def reply(
        self,
        command: Command,
        status: str | None,
        *,
        times: int | None = None,
        address: str | None = None,
        close: bool = False,
    ) -> None:
        self.handler.reply(command, status, times=times, address=address, close=close)

    def delay(self, command: Command, seconds: float, *, times: int | None = None) -> None:
        self.handler.delay(command, seconds, times=times)


@pytest.fixture
def smtp_server_factory() -> Iterator[Callable[..., SMTPTestServer]]:
    started: list[SMTPTestServer] = []

    def make(**smtp_options: Any) -> SMTPTestServer:
        server = SMTPTestServer(**smtp_options)
        server.start()
        started.append(server)
        return server

    try:
        yield make
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def smtp_server(smtp_server_factory: Callable[..., SMTPTestServer]) -> SMTPTestServer:
    return smtp_server_factory()


@pytest.fixture
def smtp_flaky(smtp_server_factory: Callable[..., SMTPTestServer]) -> SMTPTestServer:
    server = smtp_server_factory()
    server.reply("RCPT", "421 Service not available, try later", times=1)
    return server


@pytest.fixture
def smtp_rejecting(smtp_server_factory: Callable[..., SMTPTestServer]) -> SMTPTestServer:
    server = smtp_server_factory()
    server.reply("RCPT", "550 5.1.1 mailbox unavailable")
    return server


@pytest.fixture
def closed_port() -> Iterator[int]:
    # Bound but not listening: connecting is refused, and no other test can take the port meanwhile.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    # Listening but never accepting: the kernel completes the TCP handshake, the greeting never comes.
    with socket.create_server(("127.0.0.1", 0)) as sock:
        yield sock.getsockname()[1]


@dataclass(frozen=True)
class TLSFiles:
    certificate: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certificate, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this certificate (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.certificate))


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    files = TLSFiles(folder / "cert.pem", folder / "key.pem")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(files.key), "-out", str(files.certificate)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return files
