"""`relance report`: the dunning KPIs of a period, beside the reference targets."""

from __future__ import annotations

import csv
from argparse import ArgumentParser
from typing import Any

from relance.core.command import RelanceCommand
from relance.ledger.management.commands._options import parse_date
from relance.tracking.attribution import do_recompute_workspace_attribution
from relance.tracking.reports import GROUPINGS, build_report, csv_rows, human_lines


class Command(RelanceCommand):
    help = (
        "KPIs of the reminders run in a period (open, click, response, conversion rates, amount recovered) "
        "and of the receivables at its end (DSO by countback, ageing, average days late)."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--from", dest="start", help="first run date (YYYY-MM-DD); default: 3 months back"
        )
        parser.add_argument("--to", dest="end", help="last run date and ledger date; default: today")
        parser.add_argument("--by", choices=GROUPINGS, help="one row per stage, template, variant, ...")
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true")
        output.add_argument("--csv", action="store_true")
        parser.add_argument(
            "--recompute-attribution",
            action="store_true",
            help="recompute which reminder each payment is credited to before reporting",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace(options)
        start = parse_date(options["start"], "--from") if options["start"] else None
        end = parse_date(options["end"], "--to") if options["end"] else None
        if start and end and end < start:
            from relance.engine.errors import InvalidInput

            raise InvalidInput(f"--to {end.isoformat()} is before --from {start.isoformat()}")
        if options["recompute_attribution"]:
            do_recompute_workspace_attribution(workspace)
        report = build_report(workspace, start, end, options["by"])
        if options["json"]:
            self.print_json(report)
        elif options["csv"]:
            columns, rows = csv_rows(report)
            writer = csv.DictWriter(self.stdout, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
        else:
            self.stdout.write("\n".join(human_lines(report)))
