from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command

from relance.accounts.actions import do_ensure_default_workspace, settings_from_env
from relance.core.command import RelanceCommand


class Command(RelanceCommand):
    help = "Create or migrate the database and the default workspace (settings from RELANCE_* variables)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--name", default="Default", help="name of the default workspace when created")

    def handle(self, *args: Any, **options: Any) -> None:
        settings = settings_from_env()
        call_command("migrate", interactive=False, verbosity=0)
        workspace, created = do_ensure_default_workspace(settings, options["name"])
        verb = "created" if created else "up to date"
        self.stdout.write(f"database ready; workspace {workspace.slug!r} {verb} (sender: {workspace.sender})")
