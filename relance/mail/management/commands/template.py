from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from relance.accounts.models import Workspace
from relance.core.command import EXIT_FAILURE, RelanceCommand
from relance.engine.errors import InvalidInput
from relance.mail.rendering.templates import TemplateError
from relance.mail.template_lint import finding_json, format_finding, summary
from relance.mail.template_store import (
    do_save_template,
    list_templates,
    origin,
    resolve_template,
    template_versions,
)


class Command(RelanceCommand):
    help = (
        "The workspace's own templates: `template add FILE` (a new version, refused with lint errors), "
        "`template list`, `template show NAME`, `template versions NAME`."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="add|list|show|versions")
        add = sub.add_parser("add", help="save a template file as the new live version (after linting it)")
        add.add_argument(
            "file", type=Path, help="<name>.<lang>.md, or name: and language: in its front matter"
        )
        add.add_argument("--name", help="the template's name (default: front matter, then file name)")
        add.add_argument("--lang", choices=["fr", "en"], help="the template's language")
        add.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="every template the workspace renders, and where it comes from")
        listing.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help="the live source of a template")
        show.add_argument("name")
        show.add_argument("--lang", choices=["fr", "en"])
        versions = sub.add_parser("versions", help="the saved versions of a template, newest first")
        versions.add_argument("name")
        versions.add_argument("--lang", choices=["fr", "en"])
        versions.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace(options)
        action = options["action"]
        if action == "add":
            self._add(workspace, options)
        elif action == "list":
            self._list(workspace, options)
        elif action == "show":
            self._show(workspace, options)
        else:
            self._versions(workspace, options)

    def _add(self, workspace: Workspace, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            source = path.read_bytes().decode("utf-8")
        except OSError as exc:
            raise InvalidInput(f"{path}: cannot read: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{path}: not UTF-8 text (byte {exc.start})") from exc
        row, report = do_save_template(
            workspace, source, name=options["name"], language=options["lang"], filename=path
        )
        if options["json"]:
            self.print_json(
                {
                    "saved": row is not None,
                    "created": bool(row and row.was_created),
                    "name": row.name if row else None,
                    "language": row.language if row else None,
                    "version": row.version if row else None,
                    "sha": row.sha if row else None,
                    "score": report.score,
                    "findings": [finding_json(f) for f in report.findings],
                }
            )
        else:
            for finding in report.findings:
                self.stdout.write(format_finding(str(path), finding))
        if row is None:
            errors = len(report.errors)
            raise CommandError(
                f"{path}: not saved: {errors} lint error{'s' if errors > 1 else ''} ({summary(report)})",
                returncode=EXIT_FAILURE,
            )
        if options["json"]:
            return
        if row.was_created:
            self.stdout.write(
                f"saved {row.name}.{row.language} version {row.version} (sha {row.sha}, {summary(report)})"
            )
        else:
            self.stdout.write(f"unchanged: {row.name}.{row.language} version {row.version} has this source")

    def _list(self, workspace: Workspace, options: dict[str, Any]) -> None:
        entries = list_templates(workspace)
        if options["json"]:
            self.print_json([entry.as_json() for entry in entries])
            return
        width = max((len(entry.name) + 3 for entry in entries), default=0)
        stage_width = max((len(entry.stage) for entry in entries), default=0)
        for entry in entries:
            version = f"v{entry.version}" if entry.version else "-"
            problem = f"  INVALID: {entry.error}" if entry.error else ""
            label, stage = f"{entry.name}.{entry.language}", entry.stage or "?"
            self.stdout.write(
                f"{label.ljust(width)}  {stage.ljust(stage_width)}  {version.ljust(4)}  {entry.sha}  "
                f"{entry.origin}{problem}"
            )
        self.stdout.write(f"{len(entries)} templates")

    def _show(self, workspace: Workspace, options: dict[str, Any]) -> None:
        name = options["name"]
        languages = [options["lang"]] if options["lang"] else self._languages(workspace, name)
        for language in languages:
            try:
                template = resolve_template(workspace, name, language)
            except TemplateError as exc:
                raise InvalidInput(str(exc)) from exc
            fallback = f" (no {language} version: in {template.language})" if template.is_fallback else ""
            self.stdout.write(
                f"# {template.name}.{template.language} from {origin(template)}: {template.path} "
                f"(sha {template.version}){fallback}"
            )
            self.stdout.write(template.source.rstrip("\n"))

    @staticmethod
    def _languages(workspace: Workspace, name: str) -> list[str]:
        languages = [entry.language for entry in list_templates(workspace) if entry.name == name]
        if not languages:
            raise InvalidInput(f"no template named {name!r} (see `relance template list`)")
        return languages

    def _versions(self, workspace: Workspace, options: dict[str, Any]) -> None:
        name, language = options["name"], options["lang"]
        rows = template_versions(workspace, name, language)
        if not rows:
            known = self._languages(workspace, name)  # exit 2 when no such template anywhere
            if language and language not in known:
                raise InvalidInput(f"no template {name}.{language} (languages: {', '.join(known)})")
        live: dict[str, int] = {}
        for row in rows:
            live.setdefault(row.language, row.pk)
        data = [
            {
                "name": row.name,
                "language": row.language,
                "version": row.version,
                "sha": row.sha,
                "stage": row.stage,
                "live": live[row.language] == row.pk,
                "lint_score": row.lint_score,
                "created_at": row.created_at,
                "created_by": row.created_by.get_username() if row.created_by else None,
            }
            for row in rows
        ]
        if options["json"]:
            self.print_json(data)
            return
        if not rows:
            where = ", ".join(
                f"{e.name}.{e.language} from {e.origin}"
                for e in list_templates(workspace)
                if e.name == name and (not language or e.language == language)
            )
            self.stdout.write(f"no saved version of {name}: the live template is {where}")
            return
        for item in data:
            by = f" by {item['created_by']}" if item["created_by"] else ""
            mark = "  (live)" if item["live"] else ""
            self.stdout.write(
                f"{item['name']}.{item['language']} v{item['version']}  {item['sha']}  "
                f"{item['created_at']:%Y-%m-%d %H:%M}{by}  score {item['lint_score']}{mark}"
            )
