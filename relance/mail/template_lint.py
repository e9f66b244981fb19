"""The bridge from a template to the linter: render it on sample data, describe it, point spans at the file.

The linter (pure code, `relance.engine.lint`) checks the words of the template's SOURCE (so that each finding
points at a line and column of the .md file) and the subject and body as the customer reads them once
rendered (length, invoice number, structure). The facts it checks for (invoice numbers, amounts, dates,
names, links) come from the same sample context, formatted by the same Babel filters as the rendering.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from relance.engine.errors import InvalidInput
from relance.engine.lint import lint
from relance.engine.lint.model import STAGES, Facts, Finding, LintInput, LintReport
from relance.engine.lint.score import score
from relance.mail.rendering.environment import environment
from relance.mail.rendering.render import _footer_text, render
from relance.mail.rendering.sample import sample_context
from relance.mail.rendering.templates import LINK_NAMES, LoadedTemplate, TemplateError

LANGUAGES = ("fr", "en")


def lint_template(
    template: LoadedTemplate, *, sender: str = "", country: str = "FR", reply_to: str = ""
) -> LintReport:
    """Lint every subject option and the body of `template`, rendered with the sample context of its stage.

    Raises TemplateError when the template does not render on the sample data.
    """
    if template.stage not in STAGES:
        stages = ", ".join(STAGES)
        message = f"stage {template.stage!r} is not one the linter knows: give the stage whose tone the "
        message += f"template has, one of {stages} (a policy step of your own can still use this template)"
        raise TemplateError(message, template.path)
    if template.language not in LANGUAGES:
        raise TemplateError(f"the linter checks French and English, not {template.language!r}", template.path)
    context = sample_context(template.language, template.stage)
    renderings = [render(template, context, index) for index in range(len(template.subjects))]
    facts = facts_from_context(template.language, context)
    links = context.get("links") or {}
    known = frozenset(links) | frozenset(cta.link for cta in template.ctas if cta.link not in LINK_NAMES)
    reports = []
    for index, rendered in enumerate(renderings):
        item = LintInput(
            stage=template.stage,
            language=template.language,
            subject=template.subjects[index],
            body=template.body,
            rendered_subject=rendered.subject,
            rendered_body=_without_footer(rendered.text, context),
            subject_line=_at(template.subject_lines, index, 1),
            subject_column=_at(template.subject_columns, index, 1),
            body_line=template.body_line,
            sender=sender,
            reply_to=reply_to,
            ctas=tuple((cta.label, cta.link) for cta in template.ctas),
            known_links=known,
            facts=facts,
            country=country,
        )
        reports.append(lint(item))
    return _merge(template, reports)


def lint_text(
    stage: str, language: str, subject: str, body: str, sender: str = "", reply_to: str = ""
) -> LintReport:
    """Lint a subject and body as a customer received them (pasted text, no template).

    Spans: the subject is line 1, the body starts on line 2.
    """
    if stage not in STAGES:
        raise InvalidInput(f"unknown stage {stage!r}: use one of {', '.join(STAGES)}")
    if language not in LANGUAGES:
        raise InvalidInput(f"the linter checks French and English ('fr', 'en'), not {language!r}")
    item = LintInput(
        stage=stage,
        language=language,
        subject=subject.strip("\r\n"),
        body=body.replace("\r\n", "\n"),
        subject_line=1,
        subject_column=1,
        body_line=2,
        sender=sender,
        reply_to=reply_to,
    )
    return lint(item)


def facts_from_context(language: str, context: Mapping[str, Any]) -> Facts:
    """What the rendered message is about, formatted exactly as the template's filters format it."""
    filters = environment(language).filters
    money, long_date = filters["money"], filters["date"]
    invoices = [*(context.get("invoices") or ()), *(context.get("upcoming") or ())]
    amounts = []
    for invoice in invoices:
        amounts += [
            money(invoice["outstanding"], invoice["currency"]),
            money(invoice["amount"], invoice["currency"]),
        ]
    totals = context.get("totals") or {}
    if totals.get("due") is not None:
        amounts.append(money(totals["due"], totals.get("currency") or "EUR"))
    # A subscription (SaaS stages): its price is an amount, its product names the company as a brand.
    subscription = context.get("subscription") or {}
    if subscription.get("amount") is not None:
        amounts.append(money(subscription["amount"], subscription.get("currency") or "EUR"))
    customer, company = context.get("customer") or {}, context.get("company") or {}
    urls = [*(context.get("links") or {}).values()]
    urls += [invoice.get(key) for invoice in invoices for key in ("payment_url", "pdf_url")]
    return Facts(
        invoice_numbers=_unique(str(invoice["number"]) for invoice in invoices),
        amounts=_unique(amounts),
        due_dates=_unique(long_date(invoice["due_date"]) for invoice in invoices),
        names=_unique([customer.get("name"), company.get("legal_name"), subscription.get("product")]),
        link_urls=_unique(urls),
    )


def _without_footer(text: str, context: Mapping[str, Any]) -> str:
    """The text part without the footer the layout adds (company legal mentions): the linter checks what
    the template says, and a closing formula followed by the footer's lines would not read as a signature."""
    footer = _footer_text(context)
    return text.removesuffix(footer).rstrip("\n") + "\n" if footer and text.endswith(footer) else text


def _unique(values: Iterable[object]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(value) for value in values if value))


def _at(values: tuple[int, ...], index: int, default: int) -> int:
    return values[index] if index < len(values) else default


def _merge(template: LoadedTemplate, reports: list[LintReport]) -> LintReport:
    """One report for the template: everything the first subject option's run found, plus what the other
    runs found on their own subject; scored as one message (a bad alternative subject costs as much as a
    bad first one)."""
    findings: list[Finding] = list(reports[0].findings)
    seen = set(findings)
    for report in reports[1:]:
        for finding in report.findings:
            if finding.part == "subject" and finding not in seen:
                findings.append(finding)
                seen.add(finding)
    findings.sort(key=lambda f: (f.line, f.column, f.rule))
    return LintReport(findings=tuple(findings), score=score(findings))


# --- presenting findings (commands, admin) ----------------------------------------------------------------


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "excerpt": finding.excerpt,
        "suggestion": finding.suggestion,
        "part": finding.part,
    }


def format_finding(path: str, finding: Finding) -> str:
    """Like a compiler: `path:line:col: severity rule: message (suggestion: ...)`."""
    # One line per finding: a suggestion of several lines (a signature) is written with " / " between them.
    suggestion = f" (suggestion: {' / '.join(finding.suggestion.splitlines())})" if finding.suggestion else ""
    where = f"{path}:{finding.line}:{finding.column}"
    return f"{where}: {finding.severity} {finding.rule}: {finding.message}{suggestion}"


def summary(report: LintReport) -> str:
    """'score 85/100, 1 error, 2 warnings'."""
    errors, warnings = len(report.errors), len(report.warnings)
    infos = len(report.findings) - errors - warnings
    parts = [f"score {report.score}/100", _count(errors, "error"), _count(warnings, "warning")]
    if infos:
        parts.append(_count(infos, "note"))
    return ", ".join(parts)


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
