from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from relance.accounts.models import ApiToken, Role
from relance.accounts.people import do_issue_token, do_revoke_token
from relance.core.command import RelanceCommand


class Command(RelanceCommand):
    help = (
        "REST API tokens, each scoped to one workspace: `token add NAME --role collector` prints the "
        "secret once; `token list`; `token revoke PREFIX`."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="add|list|revoke", required=True)
        add = sub.add_parser("add", help="issue a token (the secret is shown once)")
        add.add_argument("name", help="what will use it, e.g. 'ERP sync'")
        add.add_argument("--role", default=Role.COLLECTOR, choices=Role.values)
        add.add_argument("--workspace", dest="workspace_sub", default=None)
        add.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="the workspace's tokens (never their secrets)")
        listing.add_argument("--workspace", dest="workspace_sub", default=None)
        listing.add_argument("--json", action="store_true")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")
        revoke.add_argument("--workspace", dest="workspace_sub", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace({"workspace": options.get("workspace_sub") or options.get("workspace")})
        action = options["action"]
        if action == "add":
            issued = do_issue_token(workspace, options["name"], options["role"], None)
            if options["json"]:
                self.print_json(
                    {"name": issued.token.name, "role": issued.token.role, "token": issued.secret}
                )
            else:
                self.stdout.write(issued.secret)
            return
        tokens = ApiToken.objects.filter(workspace=workspace).order_by("pk")
        if action == "revoke":
            token = tokens.filter(prefix=options["prefix"], revoked_at__isnull=True).first()
            if token is None:
                raise CommandError(f"no live token with prefix {options['prefix']!r} in {workspace.slug}")
            do_revoke_token(token, timezone.now())
            self.stdout.write(f"token {token.name!r} revoked")
            return
        rows = [
            {
                "name": t.name,
                "prefix": t.prefix,
                "role": t.role,
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                "revoked": t.revoked_at is not None,
            }
            for t in tokens
        ]
        if options["json"]:
            self.print_json(rows)
        else:
            for row in rows:
                state = "revoked" if row["revoked"] else row["role"]
                self.stdout.write(f"{row['prefix']:<12} {row['name']:<30} {state}")
