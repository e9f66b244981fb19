from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.utils.text import slugify

from relance.accounts.actions import do_ensure_default_workspace, settings_from_env
from relance.accounts.queries import DEFAULT_SLUG
from relance.core.command import RelanceCommand
from relance.engine.errors import InvalidInput


class Command(RelanceCommand):
    help = (
        "Create or migrate the database and the default workspace (or --workspace SLUG), with settings "
        "from RELANCE_* variables."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("--name", default="Default", help="name of the workspace when created")

    def handle(self, *args: Any, **options: Any) -> None:
        settings = settings_from_env()
        call_command("migrate", interactive=False, verbosity=0)
        slug = options.get("workspace") or DEFAULT_SLUG
        if slugify(slug) != slug:
            raise InvalidInput(f"--workspace {slug!r}: use lowercase letters, digits and dashes")
        workspace, created = do_ensure_default_workspace(settings, options["name"], slug)
        verb = "created" if created else "up to date"
        self.stdout.write(f"database ready; workspace {workspace.slug!r} {verb} (sender: {workspace.sender})")
