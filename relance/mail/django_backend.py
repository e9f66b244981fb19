"""Django's e-mail API (password resets, account notices) over the same EMAIL_URL as the reminders."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from relance.mail.sending import SendingNotConfigured, smtp_factory
from relance.mail.transport.errors import TransportError


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        try:
            factory = smtp_factory()
        except (SendingNotConfigured, ValueError):
            if self.fail_silently:
                return 0
            raise
        sent = 0
        with factory() as transport:
            for email in email_messages:
                try:
                    transport.send(email.message())
                except TransportError:
                    if not self.fail_silently:
                        raise
                else:
                    sent += 1
        return sent
