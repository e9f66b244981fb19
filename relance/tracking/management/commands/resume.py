"""`relance resume CUSTOMER_ID`: a person resumes the automation a reply paused."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from relance.core.command import RelanceCommand
from relance.tracking.replies import do_resume


class Command(RelanceCommand):
    help = (
        "Resume automation for a customer paused by a reply. Their open 'reply' task is closed (resuming "
        "says the reply was dealt with); --keep-task leaves it open."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("customer_id", help="the customer's own key (the customer_id column of imports)")
        parser.add_argument("--keep-task", action="store_true", help="leave the open reply task open")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        customer, closed = do_resume(
            self.workspace(options), options["customer_id"], close_tasks=not options["keep_task"]
        )
        if options["json"]:
            self.print_json({"customer_id": customer.external_id, "paused": False, "tasks_closed": closed})
            return
        self.stdout.write(
            f"customer {customer.external_id} ({customer.name}) resumed: automation runs again"
            + (f"; {closed} reply task closed" if closed else "")
        )
