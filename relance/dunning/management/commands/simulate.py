from __future__ import annotations

from argparse import ArgumentParser
from collections import Counter
from typing import Any

from relance.core.command import RelanceCommand
from relance.dunning.actions import do_simulate
from relance.dunning.management.commands.run import iso_date


class Command(RelanceCommand):
    help = (
        "Replay the daily run for each day of a period, against the ledger as it stood on that day, "
        "without sending or keeping anything. Prints every message that would have gone out."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--from", dest="first", type=iso_date, required=True, help="first day (YYYY-MM-DD)"
        )
        parser.add_argument("--to", dest="last", type=iso_date, required=True, help="last day (YYYY-MM-DD)")
        parser.add_argument("--json", action="store_true", help="print the messages as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace(options)
        result = do_simulate(workspace, options["first"], options["last"])
        rows = result.messages
        for row in rows:
            row["status"] = "simulated"
        if options["json"]:
            self.print_json(
                {"messages": rows, "from": options["first"].isoformat(), "to": options["last"].isoformat()}
            )
            return
        for row in rows:
            self.stdout.write(
                f"{row['run_date']} {row['customer_id']} <{row['to']}> {row['stage']}: {row['subject']}"
                f" ({', '.join(row['invoices'])}; {row['total_due']} {row['currency']})"
            )
        stages = Counter(row["stage"] for row in rows)
        summary = ", ".join(f"{stage}: {count}" for stage, count in sorted(stages.items()))
        self.stdout.write(
            f"{len(rows)} messages from {options['first']} to {options['last']}"
            + (f" ({summary})" if rows else "")
        )
