"""A local SMTP server that stores what it receives as .eml files: the demo's stand-in for the Internet.

Each message becomes ``<folder>/<UTC timestamp>-<counter>.eml``, e.g. ``20250314T101502.123456Z-000001.eml``
(names sort in arrival order). The file holds the message bytes exactly as received, preceded by two
trace headers that say what only the envelope knew, as a receiving MTA prepends Received/Return-Path:

    X-Relance-Envelope-From: <bounce+42@acme.example>
    X-Relance-Envelope-To: <bob@client.example>, <hidden@bcc.example>

A file is written under a temporary name and renamed, so a reader of the folder never sees half of one.
"""

from __future__ import annotations

import os
import socket
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class BoundController(Controller):
    """An aiosmtpd Controller that binds its listening socket itself, so that port 0 works.

    Controller(port=0) would ask the OS for a free port but then keep 0 as its port, and its start-up
    self-test would connect to port 0. Here start() binds the socket first, in the caller's thread (a port
    in use fails at once, not after the ready timeout), reads the real port from it, and hands the bound
    socket to asyncio. The port is never released between choosing and listening, so two servers started
    at the same moment (pytest-xdist workers) cannot get the same one. A controller starts once.
    """

    def __init__(self, handler: Any, hostname: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> None:
        # A fixed server name: the default, socket.getfqdn(), can take seconds on a machine without DNS.
        kwargs.setdefault("server_hostname", "localhost")
        super().__init__(handler, hostname=hostname, port=port, **kwargs)
        self._sock: socket.socket | None = None

    def start(self) -> None:
        family = socket.AF_INET6 if ":" in self.hostname else socket.AF_INET
        try:
            self._sock = socket.create_server((self.hostname, self.port), family=family)
        except OSError:
            self.loop.close()
            raise
        self.port = self._sock.getsockname()[1]
        try:
            super().start()
        except BaseException:
            self.stop(no_assert=True)
            raise

    def stop(self, no_assert: bool = False) -> None:
        if self._thread is None and self.loop.is_closed():
            return  # stopped already, or start() failed to bind
        super().stop(no_assert=no_assert)
        if self._sock is not None:
            self._sock.close()  # already closed by asyncio when it served; not when start() failed
        if not self.loop.is_closed() and not self.loop.is_running():
            self.loop.close()

    def _create_server(self) -> Any:
        assert self._sock is not None, "start() binds the socket first"
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


class MailSink:
    """Receives every message sent to 127.0.0.1:`port` and stores it in `folder` (see the module doc).

    `port=0` picks a free port; `.port` is the real one once started. Accepts 8BITMIME and SMTPUTF8.
    Use as a context manager, or call start() and stop().
    """

    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._count = 0
        self._paths: list[Path] = []
        self._controller = BoundController(self, hostname=host, port=port)

    @property
    def port(self) -> int:
        port: int = self._controller.port
        return port

    @property
    def url(self) -> str:
        """The EMAIL_URL that sends here."""
        host = self._controller.hostname
        return f"smtp://{f'[{host}]' if ':' in host else host}:{self.port}"

    @property
    def count(self) -> int:
        with self._lock:
            return self._count

    @property
    def paths(self) -> list[Path]:
        """The files written so far, in arrival order."""
        with self._lock:
            return list(self._paths)

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop(no_assert=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        # Runs in the controller's event-loop thread; count and paths are read from others, hence the lock.
        with self._lock:
            self._count += 1
            number = self._count
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        path = self.folder / f"{stamp}-{number:06d}.eml"
        data = _trace_headers(envelope) + (envelope.original_content or b"")
        _write_atomically(path, data)  # microseconds for a demo's messages: not worth a thread
        with self._lock:
            self._paths.append(path)
        return "250 OK: stored"


def _trace_headers(envelope: Envelope) -> bytes:
    recipients = ", ".join(f"<{address}>" for address in envelope.rcpt_tos)
    lines = (
        f"X-Relance-Envelope-From: <{envelope.mail_from or ''}>\r\nX-Relance-Envelope-To: {recipients}\r\n"
    )
    return lines.encode("utf-8")


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.part")
    partial.write_bytes(data)
    os.replace(partial, path)


def main(argv: list[str] | None = None) -> int:
    """`python -m relance.mail.sink --folder F [--port 0]`: prints `listening on HOST:PORT`, serves until
    killed."""
    import argparse
    import contextlib
    import signal
    import threading

    parser = argparse.ArgumentParser(
        description="A local SMTP sink that stores every message as an .eml file."
    )
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with MailSink(args.folder, host=args.host, port=args.port) as sink:
        print(f"listening on {args.host}:{sink.port}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
