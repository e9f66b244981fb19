"""Sending e-mail: the `Transport` seam, its SMTP implementation and an in-memory one for tests.

Nothing here touches Django or its settings: the SMTP configuration comes in as an `SMTPConfig`, usually
parsed from the EMAIL_URL environment variable by `SMTPConfig.from_url`. Every failure comes out as a
`TransportError` whose `permanent` flag tells the outbox whether sending the same message again can ever
work: SMTP 4xx replies, timeouts and network failures are transient, 5xx replies permanent.

Delivery is at-least-once: when the connection dies after the message data was sent but before the
server's final reply, the server may have queued it, yet we can only report a transient error. A retry
then sends it twice, with the same Message-ID.
"""

from relance.mail.transport.config import Security, SMTPConfig
from relance.mail.transport.errors import PermanentError, Stage, TransientError, TransportError
from relance.mail.transport.memory import MemoryTransport
from relance.mail.transport.smtp import SMTPTransport, Transport, envelope

__all__ = [
    "MemoryTransport",
    "PermanentError",
    "SMTPConfig",
    "SMTPTransport",
    "Security",
    "Stage",
    "TransientError",
    "Transport",
    "TransportError",
    "envelope",
]
