from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from relance.core.command import EXIT_INVALID, RelanceCommand
from relance.ledger.actions import do_import
from relance.ledger.importing import KINDS


class Command(RelanceCommand):
    help = (
        "Import customers, invoices or payments from a CSV (UTF-8, ',' or ';' separated) or XLSX file "
        "(first sheet). Rows are matched by key (customers: customer_id; invoices: number; payments: "
        "invoice_number + reference), so importing the same file twice changes nothing. Every row is checked "
        "first: if any is invalid, every bad row is listed (line as a spreadsheet numbers it, column, "
        "reason), nothing is written and the exit code is 2. "
        "Columns (names are case-insensitive; unknown ones are ignored with a warning; * = required): "
        "customers: customer_id*, name*, email*, contact_name, language (fr|en, default fr), country (FR), "
        "timezone (Europe/Paris), segment, tags, policy (a policy name the customer is pinned to). "
        "invoices: number*, customer_id* (an imported customer), issue_date*, due_date*, amount*, currency* "
        "(EUR...), status (open|void, default open), pdf_url, payment_url. "
        "payments: invoice_number* (an imported invoice), date*, amount*, reference*; partial payments add "
        "up, a payment beyond the invoice amount is refused. "
        "Dates: YYYY-MM-DD. Amounts: 1234.56 or 1234,56 (spaces may group thousands; 1,234 or 1.234,56 are "
        "refused as ambiguous). Tags: separated by '|' or ';' (in a ';'-separated file quote the cell or use "
        "'|'). A column left out of the file leaves that field as it is on existing rows."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="what the file holds")
        parser.add_argument("file", help="path of the .csv or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        report = do_import(
            self.workspace(options), options["kind"], options["file"], dry_run=options["dry_run"]
        )
        if options["json"]:
            self.print_json(report.as_dict())
        else:
            for line in report.summary_lines():
                self.stdout.write(line)
        if report.errors:
            raise CommandError(f"{report.file}: {report.problem_count()}", returncode=EXIT_INVALID)
