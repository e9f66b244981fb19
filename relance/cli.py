"""The `relance` console script: the product's commands, on top of Django management commands."""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "init": "create or migrate the database and the default workspace",
    "import": "import customers, invoices or payments from CSV or XLSX",
    "policy": "load, list and show dunning policies",
    "run": "the daily run: plan today's reminders and send them",
    "simulate": "replay the daily run over a period without sending or keeping anything",
    "send": "send queued messages that are due (workers do this at scale)",
    "messages": "list messages in the outbox",
    "hold": "pause the chase of an invoice (dispute, promise to pay)",
    "release": "end the holds of an invoice",
    "exclude": "stop chasing a customer",
    "include": "resume chasing a customer",
    "approve": "approve a message that waits for approval",
    "lint": "check the wording of templates, or of a pasted reminder, against its stage",
    "preview": "render a template with sample data or a customer's invoices (terminal and HTML file)",
    "template": "add, list and show the workspace's own templates and their versions",
    "fetch-replies": "read the replies mailbox (RELANCE_IMAP_URL): pause customers who replied, open tasks",
    "resume": "resume automation for a customer a reply paused",
    "bounce": "classify a bounce message (bounce classify FILE.eml)",
    "smtpd": "receive bounces (DSN) and complaints (ARF) over SMTP",
    "report": "KPIs: open, click, response and conversion rates, amount recovered, DSO, ageing",
    "experiments": "A/B tests of templates and subjects on a stage: results, add, stop",
    "user": "people who use the web application: user add EMAIL --role admin|collector|viewer",
    "workspace": "workspaces, one per creditor company: workspace add SLUG --name NAME",
    "token": "REST API tokens of a workspace: token add NAME --role ROLE, token list, token revoke PREFIX",
    "serve": "run the web server and the REST API (relance serve --host H --port P)",
}

# Product command names that are not valid Django command names (those cannot hold a dash).
ALIASES = {"fetch-replies": "fetch_replies"}

USAGE = (
    "usage: relance COMMAND [options]   (relance COMMAND --help for each command's options)\n\ncommands:\n"
)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        width = max(len(name) for name in COMMANDS)
        lines = [f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()]
        print(
            USAGE + "\n".join(lines) + "\n\nOther Django management commands work too: relance migrate, ..."
        )
        return 0
    if args[0] in {"--version", "version"}:
        from relance import __version__

        print(f"relance {__version__}")
        return 0
    args[0] = ALIASES.get(args[0], args[0])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["relance", *args])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
