from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from relance.accounts.models import Workspace
from relance.accounts.people import do_add_workspace
from relance.accounts.queries import DEFAULT_SLUG
from relance.core.command import RelanceCommand


class Command(RelanceCommand):
    help = (
        "Workspaces, one per creditor company: `workspace add SLUG --name NAME` (settings start as a copy "
        "of the default workspace's), `workspace list`."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="add|list", required=True)
        add = sub.add_parser("add", help="create a workspace")
        add.add_argument("slug", help="short name used in URLs and --workspace, e.g. acme-fr")
        add.add_argument("--name", required=True, help="the creditor company's name")
        add.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="every workspace")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            rows = [
                {"slug": w.slug, "name": w.name, "sender": w.sender, "default": w.slug == DEFAULT_SLUG}
                for w in Workspace.objects.order_by("slug")
            ]
            if options["json"]:
                self.print_json(rows)
            else:
                for row in rows:
                    self.stdout.write(f"{row['slug']:<24} {row['name']}")
            return
        like = Workspace.objects.filter(slug=DEFAULT_SLUG).first()
        workspace = do_add_workspace(options["slug"], options["name"], like)
        if options["json"]:
            self.print_json({"slug": workspace.slug, "name": workspace.name, "id": workspace.pk})
        else:
            self.stdout.write(f"workspace {workspace.slug!r} created ({workspace.name})")
