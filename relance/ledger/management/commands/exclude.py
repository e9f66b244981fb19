from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from relance.core.command import RelanceCommand
from relance.ledger.actions import do_exclude


class Command(RelanceCommand):
    help = "Stop chasing a customer (none of its invoices gets a reminder) until `relance include`."

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("customer_id", help="the customer's own key (the customer_id column of imports)")
        parser.add_argument("--reason", default="", help="why, kept with the customer")

    def handle(self, *args: Any, **options: Any) -> None:
        customer = do_exclude(self.workspace(options), options["customer_id"], options["reason"])
        self.stdout.write(f"customer {customer.external_id} ({customer.name}) excluded: no more reminders")
