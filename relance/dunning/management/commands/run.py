from __future__ import annotations

from argparse import ArgumentParser
from collections import Counter
from datetime import UTC, date
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from relance.core.command import RelanceCommand
from relance.dunning.actions import RunResult, do_run
from relance.ledger.queries import workspace_today
from relance.mail.delivery import deliver_now
from relance.mail.outbox import delivery_states


def iso_date(text: str) -> date:
    from argparse import ArgumentTypeError

    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ArgumentTypeError(f"{text!r} is not a date like 2026-03-15") from exc


class Command(RelanceCommand):
    help = (
        "The daily run: plan today's reminders, write them to the outbox and send them. "
        "With --as-of (a backfill) the sending window is ignored."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("--as-of", type=iso_date, help="run as of this date (YYYY-MM-DD); default: today")
        parser.add_argument("--dry-run", action="store_true", help="preview what would go out; write nothing")
        parser.add_argument("--json", action="store_true", help="print the messages as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace(options)
        now = timezone.now()
        today = options["as_of"] or workspace_today(workspace, now)
        result = do_run(
            workspace, today, now, backfill=options["as_of"] is not None, dry_run=options["dry_run"]
        )
        delivery_error = ""
        if not options["dry_run"]:
            delivery_error = deliver_now(workspace)
        self._report(result, options, delivery_error)
        if delivery_error:
            raise CommandError(delivery_error)

    def _report(self, result: RunResult, options: dict[str, Any], delivery_error: str) -> None:
        rows = result.messages
        if not options["dry_run"]:
            # Sending happened after the run: show where each message stands now.
            states = delivery_states([row["id"] for row in rows])
            for row in rows:
                row["status"], sent_at = states[row["id"]]
                row["sent_at"] = sent_at.astimezone(UTC).isoformat() if sent_at else None
        if options["json"]:
            self.print_json(
                {
                    "run_date": result.run_date.isoformat(),
                    "dry_run": options["dry_run"],
                    "messages": rows,
                    "cancelled": result.cancelled,
                    "escalated": result.escalated,
                    "error": delivery_error or None,
                }
            )
            return
        verb = "would go out" if options["dry_run"] else "planned"
        stages = Counter(row["stage"] for row in rows)
        by_stage = ", ".join(f"{stage}: {count}" for stage, count in sorted(stages.items()))
        self.stdout.write(
            f"{result.run_date}: {len(rows)} messages {verb}" + (f" ({by_stage})" if rows else "")
        )
        for row in rows:
            self.stdout.write(
                f"  [{row['status']}] {row['customer_id']} <{row['to']}> {row['stage']}: {row['subject']}"
                f" ({', '.join(row['invoices'])}; {row['total_due']} {row['currency']})"
            )
        if not options["dry_run"]:
            counts = Counter(row["status"] for row in rows)
            self.stdout.write(
                f"sent {counts.get('sent', 0)}, awaiting approval {counts.get('awaiting_approval', 0)}, "
                f"queued {counts.get('queued', 0)}; cancelled {result.cancelled} stale messages; "
                f"{result.escalated} cases handed to a person"
            )
