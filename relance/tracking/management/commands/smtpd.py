"""`relance smtpd [--host 127.0.0.1] [--port 2525]`: receive bounces and complaints by SMTP.

Point the MX of RELANCE_BOUNCE_DOMAIN here (behind a real MTA in production, which relays to it). Every
message, for any recipient, is recorded with do_record_bounce (source "smtpd") and answered 250; runs until
interrupted (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from argparse import ArgumentParser
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections
from django.utils import timezone

from relance.core.command import RelanceCommand
from relance.mail.sink import BoundController

logger = logging.getLogger(__name__)


class BounceHandler:
    """An aiosmtpd handler: any RCPT is accepted; DATA is classified and recorded (in a worker thread,
    since the ORM is synchronous)."""

    def __init__(self, source: str = "smtpd") -> None:
        self.source = source

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        recipients = list(envelope.rcpt_tos)
        try:
            await asyncio.to_thread(self._record, raw, recipients)
        except Exception:  # a message we cannot record must not make the sender retry for ever
            logger.exception("could not record a bounce received by smtpd")
        return "250 OK: recorded"

    def _record(self, raw: bytes, recipients: list[str]) -> None:
        from relance.tracking.bounces import do_record_bounce

        close_old_connections()
        try:
            do_record_bounce(raw, timezone.now(), self.source, envelope_recipients=recipients)
        finally:
            close_old_connections()


class Command(RelanceCommand):
    help = "Receive DSN bounces and ARF complaints by SMTP and record them (runs until interrupted)."

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=2525, help="port to listen on (default 2525)")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
        controller = BoundController(BounceHandler(), hostname=options["host"], port=options["port"])
        controller.start()
        try:
            self.stdout.write(f"listening on {options['host']}:{controller.port}")
            self.stdout.flush()
            with contextlib.suppress(KeyboardInterrupt):
                stop.wait()
        finally:
            controller.stop(no_assert=True)
