from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from relance.core.command import RelanceCommand
from relance.mail.delivery import deliver_now
from relance.mail.outbox import do_approve


class Command(RelanceCommand):
    help = "Approve a message that waits for approval; it is sent at once (or at the next allowed moment)."

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("message_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace(options)
        message = do_approve(workspace, options["message_id"], timezone.now())
        error = deliver_now(workspace)
        message.refresh_from_db()
        self.stdout.write(f"message #{message.pk} approved; now {message.status}")
        if error:
            raise CommandError(error)
