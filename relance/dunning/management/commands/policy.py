from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from relance.core.command import RelanceCommand
from relance.dunning.policies import do_load_policy, policy_detail, policy_summaries


class Command(RelanceCommand):
    help = "Dunning policies: `policy load FILE.yaml`, `policy list`, `policy show NAME`."

    def add_options(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="load|list|show")
        load = sub.add_parser("load", help="create or replace a policy from a YAML file")
        load.add_argument("file", type=Path)
        listing = sub.add_parser("list", help="the policies of the workspace")
        listing.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help="one policy, step by step")
        show.add_argument("name")
        show.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace(options)
        action = options["action"]
        if action == "load":
            row, created = do_load_policy(workspace, options["file"])
            verb = "created" if created else f"replaced (now version {row.version})"
            scope = "default policy" if "applies_to" not in row.definition else "policy"
            self.stdout.write(f"{scope} {row.name!r} {verb}: {len(row.definition['steps'])} steps")
        elif action == "list":
            summaries = policy_summaries(workspace)
            if options["json"]:
                return self.print_json(summaries)
            for summary in summaries:
                marks = " (default)" if summary["default"] else ""
                marks += " (built-in)" if summary["builtin"] else ""
                stages = ", ".join(f"{s['stage']} {s['offset_days']:+d}d" for s in summary["steps"])
                self.stdout.write(f"{summary['name']} v{summary['version']}{marks}: {stages}")
        else:
            detail = policy_detail(workspace, options["name"])
            if options["json"]:
                return self.print_json(detail)
            self._show(detail)
        return None

    def _show(self, detail: dict[str, Any]) -> None:
        self.stdout.write(f"policy {detail['name']} (version {detail['version']})")
        applies = detail.get("applies_to") or "every customer without a more specific policy"
        self.stdout.write(f"  applies to: {applies}")
        self.stdout.write(f"  at least {detail['min_days_between_messages']} days between messages")
        self.stdout.write(f"  business days only: {'yes' if detail['business_days_only'] else 'no'}")
        self.stdout.write(f"  minimum total due: {detail['min_amount']}")
        for step in detail["steps"]:
            approval = ", needs approval" if step["requires_approval"] else ""
            self.stdout.write(
                f"  - {step['stage']}: due date {step['offset_days']:+d} days, template {step['template']}"
                f" ({step['channel']}{approval})"
            )
