from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError

from relance.accounts.models import Membership, Role
from relance.accounts.people import do_add_user
from relance.conf import env
from relance.core.command import RelanceCommand


class Command(RelanceCommand):
    help = (
        "People who use the web application: `user add EMAIL --role admin|collector|viewer` (password from "
        "RELANCE_PASSWORD or standard input) creates the user or changes their role; `user list`."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="add|list", required=True)
        add = sub.add_parser("add", help="create a user, or give an existing one a role in the workspace")
        add.add_argument("email", help="the login, an e-mail address (password resets go there)")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--workspace", dest="workspace_sub", default=None, help="workspace slug")
        add.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="the workspace's users and their roles")
        listing.add_argument("--workspace", dest="workspace_sub", default=None, help="workspace slug")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace({"workspace": options.get("workspace_sub") or options.get("workspace")})
        if options["action"] == "list":
            rows = [
                {"email": m.user.email or m.user.username, "role": m.role, "active": m.user.is_active}
                for m in Membership.objects.filter(workspace=workspace).select_related("user").order_by("pk")
            ]
            if options["json"]:
                self.print_json(rows)
            else:
                for row in rows:
                    self.stdout.write(f"{row['email']:<40} {row['role']}")
            return
        exists = User.objects.filter(username=options["email"].strip().lower()).exists()
        password = self._password(required=not exists)
        result = do_add_user(options["email"], options["role"], workspace, password)
        if options["json"]:
            self.print_json(
                {
                    "email": result.user.email,
                    "role": result.membership.role,
                    "workspace": workspace.slug,
                    "created": result.created,
                }
            )
        else:
            verb = "created" if result.created else "updated"
            self.stdout.write(
                f"user {result.user.email} {verb}: {result.membership.role} in {workspace.slug}"
            )

    def _password(self, required: bool) -> str | None:
        password = env("RELANCE_PASSWORD", "")
        if password:
            return password
        if sys.stdin is None or sys.stdin.closed:
            return None
        if sys.stdin.isatty():
            if not required:
                return None
            first = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != first:
                raise CommandError("the two passwords differ")
            return first
        line = sys.stdin.readline().rstrip("\r\n")
        return line or None
