"""`relance fetch-replies`: read the replies mailbox (RELANCE_IMAP_URL) and act on what came back."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from relance.core.command import EXIT_FAILURE, RelanceCommand
from relance.engine.errors import InvalidInput
from relance.tracking.imap import ImapConfigError, ImapConnectError, fetch_replies, settings_from_env


class Command(RelanceCommand):
    help = (
        "Fetch the unseen messages of the IMAP mailbox named by RELANCE_IMAP_URL "
        "(imap://user:password@host:port/INBOX or imaps://...): replies pause the customer and open a task, "
        "automatic replies are only stored, bounces are recorded. Exit 1 when the server cannot be reached "
        "or refuses the login, 2 when RELANCE_IMAP_URL is invalid."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            settings = settings_from_env()
        except ImapConfigError as exc:
            raise InvalidInput(str(exc)) from None
        workspace = self.workspace(options)
        try:
            report = fetch_replies(workspace, settings)
        except ImapConnectError as exc:
            raise CommandError(str(exc), returncode=EXIT_FAILURE) from None
        if options["json"]:
            self.print_json(report.as_dict())
            return
        counts = report.counts
        self.stdout.write(
            f"{report.fetched} fetched from {settings.safe_url}: {counts['reply']} replies, "
            f"{counts['auto_reply']} automatic replies, {counts['bounce']} bounces, "
            f"{counts['duplicate']} already recorded, {counts['unmatched']} unmatched (left unread)"
        )
        for item in report.items:
            if item["kind"] == "reply":
                self.stdout.write(
                    f"  reply from {item['from']} (customer {item['customer_id']}, by {item['matched_by']}): "
                    "automation paused, task opened"
                )
