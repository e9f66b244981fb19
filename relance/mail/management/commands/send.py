from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from relance.core.command import RelanceCommand
from relance.mail.sending import SendingNotConfigured, dispatch, smtp_factory


class Command(RelanceCommand):
    help = "Send the queued messages that are due now (retries included), over one SMTP connection."

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("--all-workspaces", action="store_true", help="send for every workspace")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace_id = None if options["all_workspaces"] else self.workspace(options).pk
        try:
            factory = smtp_factory()
        except (SendingNotConfigured, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        report = dispatch(timezone.now(), factory, workspace_id)
        self.stdout.write(
            f"sent {report.sent}, retry later {report.retried}, failed {report.failed}, "
            f"cancelled (paid or held since) {report.cancelled}"
        )
        for error in report.errors:
            self.stderr.write(f"  {error}")
