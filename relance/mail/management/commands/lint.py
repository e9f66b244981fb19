from __future__ import annotations

import sys
from argparse import ArgumentParser
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relance.core.command import EXIT_FAILURE, EXIT_INVALID, RelanceCommand
from relance.engine.errors import InvalidInput
from relance.engine.lint.model import STAGES, LintReport
from relance.mail.rendering.templates import BUILTIN_DIR, LoadedTemplate, TemplateError
from relance.mail.template_lint import finding_json, format_finding, lint_template, lint_text, summary
from relance.mail.template_store import read_template_file


@dataclass(frozen=True)
class _Result:
    template: str | None  # "first.fr"; None for pasted text
    path: str
    language: str
    stage: str
    report: LintReport

    def as_json(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "path": self.path,
            "language": self.language,
            "stage": self.stage,
            "score": self.report.score,
            "findings": [finding_json(f) for f in self.report.findings],
        }


class Command(RelanceCommand):
    help = (
        "Check the wording of reminders against their stage: template files (a folder: every *.md in it), "
        "the built-in templates (--builtin), or a pasted subject and body (--subject, --body-file). "
        "Exit code 1 when there is an error (warnings are allowed), 2 for invalid input."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="template files or folders")
        parser.add_argument("--builtin", action="store_true", help="lint the built-in templates")
        parser.add_argument("--stage", help="only templates of this stage (with --subject: the text's stage)")
        parser.add_argument("--lang", choices=["fr", "en"], help="only templates in this language")
        parser.add_argument("--subject", help="lint this subject (pasted text, no template)")
        parser.add_argument(
            "--body-file", metavar="FILE", help="with --subject: the body as plain text ('-': standard input)"
        )
        parser.add_argument("--sender", default="", help="the From address the messages go out with")
        parser.add_argument("--reply-to", default="", help="the Reply-To address, when there is one")
        parser.add_argument("--country", default="FR", help="the creditor's country (legal mentions)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        invalid = False
        if options["subject"] is not None:
            if options["paths"] or options["builtin"]:
                raise InvalidInput("--subject lints pasted text: give no template PATH and no --builtin")
            results = [self._raw(options)]
        else:
            if options["body_file"] is not None:
                raise InvalidInput("--body-file goes with --subject")
            if not options["paths"] and not options["builtin"]:
                raise InvalidInput("give template files or folders, --builtin, or --subject TEXT")
            results, invalid = self._templates(options)
        if options["json"]:
            self.print_json([result.as_json() for result in results])
        else:
            self._print(results)
        if invalid:
            sys.exit(EXIT_INVALID)
        if any(result.report.errors for result in results):
            sys.exit(EXIT_FAILURE)

    def _raw(self, options: dict[str, Any]) -> _Result:
        stage, language = options["stage"], options["lang"]
        if not stage or not language:
            raise InvalidInput("--subject needs --stage and --lang (fr or en)")
        if stage not in STAGES:
            raise InvalidInput(f"unknown stage {stage!r}: use one of {', '.join(STAGES)}")
        body_file = options["body_file"]
        if body_file is None:
            body, path = "", "<subject>"
        elif body_file == "-":
            body, path = sys.stdin.read(), "<stdin>"
        else:
            try:
                body, path = Path(body_file).read_text(encoding="utf-8"), body_file
            except OSError as exc:
                raise InvalidInput(f"{body_file}: cannot read: {exc.strerror}") from exc
            except UnicodeDecodeError as exc:
                raise InvalidInput(f"{body_file}: not UTF-8 text (byte {exc.start})") from exc
        report = lint_text(
            stage, language, options["subject"], body, sender=options["sender"], reply_to=options["reply_to"]
        )
        return _Result(None, path, language, stage, report)

    def _templates(self, options: dict[str, Any]) -> tuple[list[_Result], bool]:
        files = self._files(options)
        results, invalid = [], False
        for path in files:
            try:
                template = read_template_file(path)
            except InvalidInput as exc:
                self.stderr.write(f"error: {exc}")
                invalid = True
                continue
            if not self._selected(template, options):
                continue
            try:
                report = lint_template(
                    template,
                    sender=options["sender"],
                    country=options["country"],
                    reply_to=options["reply_to"],
                )
            except TemplateError as exc:
                self.stderr.write(f"error: {exc}")
                invalid = True
                continue
            name = f"{template.name}.{template.language}"
            results.append(_Result(name, _shown(path), template.language, template.stage, report))
        return results, invalid

    def _files(self, options: dict[str, Any]) -> list[Path]:
        files: list[Path] = []
        for path in options["paths"]:
            if path.is_dir():
                files += sorted(path.glob("*.md"))
            elif path.is_file():
                files.append(path)
            else:
                raise InvalidInput(f"{path}: no such file or folder")
        if options["builtin"]:
            files += sorted(BUILTIN_DIR.glob("*.md"))
        return list(dict.fromkeys(files))

    @staticmethod
    def _selected(template: LoadedTemplate, options: dict[str, Any]) -> bool:
        if options["stage"] and template.stage != options["stage"]:
            return False
        return not (options["lang"] and template.language != options["lang"])

    def _print(self, results: list[_Result]) -> None:
        for result in results:
            for finding in result.report.findings:
                self.stdout.write(format_finding(result.path, finding))
            self.stdout.write(f"{result.path}: {summary(result.report)}")
        errors = sum(len(result.report.errors) for result in results)
        warnings = sum(len(result.report.warnings) for result in results)
        self.stdout.write(f"{len(results)} linted: {errors} errors, {warnings} warnings")


def _shown(path: Path) -> str:
    """The path as the user would type it: relative to the current folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
