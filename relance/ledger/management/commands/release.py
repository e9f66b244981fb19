from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from relance.core.command import RelanceCommand
from relance.ledger.actions import do_release
from relance.ledger.management.commands._options import parse_date


class Command(RelanceCommand):
    help = "End the holds of an invoice (disputes included): it is chased again from the release day."

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("invoice", help="the invoice number")
        parser.add_argument("--on", metavar="DATE", help="release day, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        on = parse_date(options["on"], "--on") if options["on"] else None
        released = do_release(self.workspace(options), options["invoice"], on=on)
        if released:
            self.stdout.write(f"invoice {options['invoice']}: {released} hold(s) released")
        else:
            self.stdout.write(f"invoice {options['invoice']}: no hold in effect, nothing to release")
