"""An in-memory transport for tests of callers: injected, never patched in."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from types import TracebackType
from typing import Self

from relance.mail.transport.errors import TransportError
from relance.mail.transport.smtp import _flatten, envelope


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
