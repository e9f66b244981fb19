from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from relance.accounts.models import Workspace
from relance.conf import data_dir
from relance.core.command import RelanceCommand
from relance.engine.errors import InvalidInput
from relance.ledger.queries import get_customer, workspace_today
from relance.mail.preview_context import customer_context
from relance.mail.rendering import render, sample_context
from relance.mail.rendering.templates import LoadedTemplate, TemplateError
from relance.mail.template_store import origin, read_template_file, resolve_template


class Command(RelanceCommand):
    help = (
        "Render a template as the workspace would (its saved version, else the RELANCE_TEMPLATES_DIR folder, "
        "else the built-in) with sample data, or with a customer's open invoices (--customer): subject and "
        "text part to the terminal, the HTML part to a file."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("template", help="a template name (first, final, ...) or a .md file")
        parser.add_argument("--customer", metavar="ID", help="render for this customer (its customer_id)")
        parser.add_argument("--lang", choices=["fr", "en"], help="default: the customer's language, else fr")
        parser.add_argument("--stage", help="the message's stage (default: the template's)")
        parser.add_argument(
            "--out", type=Path, help="where to write the HTML part (default data/previews/NAME.LANG.html)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace(options)
        customer = get_customer(workspace, options["customer"]) if options["customer"] else None
        language = options["lang"] or (customer.language if customer else "fr")
        template = self._template(workspace, options["template"], language)
        stage = options["stage"] or template.stage
        if customer is not None:
            context = customer_context(workspace, customer, stage, workspace_today(workspace))
        else:
            context = sample_context(template.language, stage)
        try:
            rendered = render(template, context)
        except TemplateError as exc:
            raise InvalidInput(str(exc)) from exc
        out = options["out"] or data_dir() / "previews" / f"{template.name}.{template.language}.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(rendered.html, encoding="utf-8")
        fallback = f" (no {language} version: in {template.language})" if template.is_fallback else ""
        self.stdout.write(
            f"template {template.name}.{template.language} from {origin(template)}: {template.path} "
            f"(sha {template.version}, stage {stage}){fallback}"
        )
        self.stdout.write(f"To: {customer.email}" if customer else "With sample data")
        self.stdout.write(f"Subject: {rendered.subject}")
        if rendered.preheader:
            self.stdout.write(f"Preheader: {rendered.preheader}")
        self.stdout.write("")
        self.stdout.write(rendered.text)
        self.stdout.write(f"HTML part written to {out}")

    @staticmethod
    def _template(workspace: Workspace, name: str, language: str) -> LoadedTemplate:
        path = Path(name)
        if name.endswith(".md") or path.is_file():
            return read_template_file(path)
        try:
            return resolve_template(workspace, name, language)
        except TemplateError as exc:
            raise InvalidInput(str(exc)) from exc
