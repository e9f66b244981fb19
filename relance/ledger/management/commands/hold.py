from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from relance.core.command import RelanceCommand
from relance.ledger.actions import do_hold
from relance.ledger.management.commands._options import parse_date
from relance.ledger.models import Hold


class Command(RelanceCommand):
    help = (
        "Pause the chase of an invoice: no reminder mentions it on the days FROM <= day < UNTIL (on UNTIL "
        "it is chased again), or until `relance release`. A dispute is a hold with --reason dispute."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("invoice", help="the invoice number")
        parser.add_argument(
            "--from",
            dest="start",
            metavar="DATE",
            help="first day held, YYYY-MM-DD (default: today, local time)",
        )
        parser.add_argument(
            "--until", required=True, metavar="DATE", help="first day chased again, YYYY-MM-DD"
        )
        parser.add_argument(
            "--reason",
            required=True,
            choices=[choice for choice, _ in Hold.REASONS],
            help="dispute (the customer contests the invoice), promise (to pay by a date) or other",
        )
        parser.add_argument("--note", default="", help="free text kept with the hold")

    def handle(self, *args: Any, **options: Any) -> None:
        start = parse_date(options["start"], "--from") if options["start"] else None
        until = parse_date(options["until"], "--until")
        hold = do_hold(
            self.workspace(options),
            options["invoice"],
            start=start,
            until=until,
            reason=options["reason"],
            note=options["note"],
        )
        self.stdout.write(
            f"invoice {hold.invoice.number} on hold ({hold.reason}) from {hold.start} until {hold.until} "
            f"(chased again on {hold.until})"
        )
