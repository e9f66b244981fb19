from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from relance.core.command import RelanceCommand
from relance.mail.outbox import invoice_numbers, list_messages, message_json


class Command(RelanceCommand):
    help = "List the messages of the outbox, oldest first."

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("--customer", help="only this customer (its customer_id)")
        parser.add_argument("--status", help="queued, awaiting_approval, sending, sent, failed or cancelled")
        parser.add_argument("--limit", type=int, default=None, help="only the last N messages")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace(options)
        messages = list(list_messages(workspace, options["customer"], options["status"]))
        if options["limit"]:
            messages = messages[-options["limit"] :]
        numbers = invoice_numbers(messages)
        rows = [message_json(m, m.customer.external_id, numbers.get(m.pk, [])) for m in messages]
        if options["json"]:
            self.print_json(rows)
            return
        for row in rows:
            self.stdout.write(
                f"#{row['id']} {row['run_date']} [{row['status']}] {row['customer_id']} {row['stage']}: "
                f"{row['subject']} ({', '.join(row['invoices'])}; {row['total_due']} {row['currency']})"
            )
        self.stdout.write(f"{len(rows)} messages")
