"""Every built-in template rendered with sample data, checked and scored."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from relance.mail.deliverability.content import Finding, check_content, message_parts, text_html_ratio
from relance.mail.deliverability.spamassassin import (
    SpamAssassinError,
    SpamReport,
    run_spamassassin_many,
    spam_findings,
)
from relance.mail.mime import make_mime
from relance.mail.rendering import BUILTIN_DIR, Rendered, load_template, render, sample_context

SAMPLE_FROM = "Marie Dupont <marie.dupont@acme.example>"
SAMPLE_REPLY_TO = "compta@acme.example"
SAMPLE_DOMAIN = "acme.example"
CUSTOMER_DOMAIN = "customer.example"

_TEMPLATE_FILE = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_-]*)\.(?P<language>[a-z]{2})\.md$")


@dataclass
class TemplateCheck:
    name: str
    language: str
    stage: str = ""
    subject: str = ""
    text_html_ratio: float | None = None
    findings: list[Finding] = field(default_factory=list)
    spam: SpamReport | None = None

    @property
    def passed(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        return data


# --- The messages checked ---------------------------------------------------------------------------------


def builtin_template_files(folder: Path = BUILTIN_DIR) -> list[tuple[str, str]]:
    """(name, language) of every `<name>.<language>.md` in `folder`, sorted: whatever is there today."""
    found = []
    for path in folder.iterdir():
        match = _TEMPLATE_FILE.match(path.name)
        if match and path.is_file():
            found.append((match["name"], match["language"]))
    return sorted(found)


def sample_message(
    name: str, language: str, date: datetime | None = None, folders: Sequence[Path] = ()
) -> tuple[str, Rendered, EmailMessage]:
    """The template's stage, its rendering with the sample data of that stage, and the e-mail built from it.

    The template is loaded first so that its own `stage` picks the sample context (a template added later
    with a new stage still gets a sample). The e-mail is what `make_mime` would send: sender, customer
    contact, Reply-To, a Message-ID shaped like `compose.new_message_id`'s, a Date of `date` (now).
    """
    template = load_template(name, language, folders)
    context = sample_context(language, template.stage)
    rendered = render(template, context)
    contact = context["contact"]
    local = ".".join(part for part in (contact["first_name"], contact["last_name"]) if part).lower()
    to = f"{contact['full_name']} <{_ascii(local) or 'compta'}@{CUSTOMER_DOMAIN}>"
    digest = hashlib.sha256(f"{name}.{language}".encode()).hexdigest()[:32]
    email = make_mime(
        from_=SAMPLE_FROM,
        to=to,
        reply_to=SAMPLE_REPLY_TO,
        subject=rendered.subject,
        message_id=f"<relance.{digest}@{SAMPLE_DOMAIN}>",
        date=date or datetime.now(UTC),
        text=rendered.text,
        html=rendered.html,
        language=rendered.language,
        headers={"X-Relance-Stage": template.stage},
    )
    return template.stage, rendered, email


def _ascii(value: str) -> str:
    return re.sub(r"[^a-z0-9.]", "", value.encode("ascii", "ignore").decode())


# --- Content checks ---------------------------------------------------------------------------------------


def check_templates(
    templates: Iterable[tuple[str, str]] | None = None,
    spamassassin: str | None = None,
    date: datetime | None = None,
    jobs: int | None = None,
    timeout: float | None = None,
) -> list[TemplateCheck]:
    """Check `templates` (default: every built-in file, see `builtin_template_files`).

    SpamAssassin runs only when `spamassassin` (the binary's path) is given: the messages are split among
    `jobs` runs at once (default: up to 2, one per CPU). Its failures are findings, never exceptions.
    """
    checks: list[TemplateCheck] = []
    scored: list[tuple[TemplateCheck, bytes]] = []
    for name, language in templates if templates is not None else builtin_template_files():
        check = TemplateCheck(name=name, language=language)
        checks.append(check)
        try:
            check.stage, rendered, email = sample_message(name, language, date)
        except Exception as exc:  # a template that does not render fails its check, the others still run
            check.findings.append(Finding("render", f"{type(exc).__name__}: {exc}"))
            continue
        check.subject = rendered.subject
        text, html = message_parts(email)
        if text is not None and html is not None:
            check.text_html_ratio = round(text_html_ratio(text, html), 3)
        check.findings += check_content(email)
        scored.append((check, email.as_bytes()))
    if spamassassin and scored:
        workers = max(1, min(jobs or min(2, os.cpu_count() or 1), len(scored)))
        chunks = [scored[index::workers] for index in range(workers)]

        def score(chunk: list[tuple[TemplateCheck, bytes]]) -> list[SpamReport] | SpamAssassinError:
            try:
                return run_spamassassin_many([raw for _, raw in chunk], spamassassin, timeout)
            except SpamAssassinError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for chunk, outcome in zip(chunks, pool.map(score, chunks), strict=True):
                for (check, _), report in zip(chunk, _each(outcome, len(chunk)), strict=True):
                    if isinstance(report, SpamReport):
                        check.spam = report
                        check.findings += spam_findings(report)
                    else:
                        check.findings.append(Finding("spamassassin", str(report)))
    return checks


def _each(
    outcome: list[SpamReport] | SpamAssassinError, count: int
) -> list[SpamReport] | list[SpamAssassinError]:
    return outcome if isinstance(outcome, list) else [outcome] * count
