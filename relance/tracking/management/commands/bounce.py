"""`relance bounce classify FILE.eml [--json]`: what the bounce classifier makes of a message."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from relance.core.command import EXIT_INVALID, RelanceCommand
from relance.engine.bounces import classify


class Command(RelanceCommand):
    help = (
        "Classify a returned message (.eml): hard or soft bounce, complaint, auto-reply, or not a bounce; "
        "prints the failed recipient, the status and the reason."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("classify", help="classify one .eml file")
        run.add_argument("file", help="the message, as received (.eml)")
        run.add_argument("--json", action="store_true", help="print the verdict as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            self.stderr.write(f"error: {path}: cannot read: {exc.strerror or exc}")
            sys.exit(EXIT_INVALID)
        verdict = classify(raw)
        data = {
            "kind": verdict.kind,
            "recipient": verdict.recipient,
            "status": verdict.status,
            "reason": verdict.reason,
            "category": verdict.category,
            "original_message_id": verdict.original_message_id,
        }
        if options.get("json"):
            self.print_json(data)
            return
        for key, value in data.items():
            self.stdout.write(f"{key}: {value}")
