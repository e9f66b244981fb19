"""The base of every `relance` command: product exit codes, --workspace, JSON output."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from relance.engine.errors import InvalidInput

EXIT_OK, EXIT_FAILURE, EXIT_INVALID = 0, 1, 2


class RelanceCommand(BaseCommand):
    """Exit code 0 ok, 1 failure, 2 invalid input; argparse errors already exit 2."""

    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--workspace", default=None, help="workspace slug (default: the default workspace)"
        )
        self.add_options(parser)

    def add_options(self, parser: ArgumentParser) -> None:
        """Commands add their own arguments here."""

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except InvalidInput as exc:
            self.stderr.write(f"error: {exc}")
            sys.exit(EXIT_INVALID)
        except CommandError as exc:
            self.stderr.write(f"error: {exc}")
            sys.exit(exc.returncode or EXIT_FAILURE)

    def workspace(self, options: dict[str, Any]) -> Any:
        from relance.accounts.queries import get_workspace

        return get_workspace(options.get("workspace"))

    def print_json(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
