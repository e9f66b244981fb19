from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from relance.core.command import RelanceCommand
from relance.ledger.actions import do_include


class Command(RelanceCommand):
    help = "Resume chasing a customer that was excluded."

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("customer_id", help="the customer's own key (the customer_id column of imports)")

    def handle(self, *args: Any, **options: Any) -> None:
        customer = do_include(self.workspace(options), options["customer_id"])
        self.stdout.write(f"customer {customer.external_id} ({customer.name}) included: chased again")
