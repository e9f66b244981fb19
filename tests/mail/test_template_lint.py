"""The bridge from a template to the linter: sample rendering, facts, every subject option, file spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from relance.mail.rendering import BUILTIN_DIR, parse_template, sample_context
from relance.mail.rendering.environment import environment
from relance.mail.template_lint import facts_from_context, lint_template, lint_text

# The built-in first reminder: it passes the linter with no error and no warning.
GOOD_FR = (BUILTIN_DIR / "first.fr.md").read_text(encoding="utf-8")
_SUBJECT_LINES = parse_template(GOOD_FR, "first", "fr", Path("first.fr.md")).subject_lines


def with_subject(source: str, subject: str, option: int = 0) -> str:
    """`source` (the built-in first reminder) with its subject option number `option` replaced."""
    lines = source.split("\n")
    lines[_SUBJECT_LINES[option] - 1] = f'  - "{subject}"'
    return "\n".join(lines)


# A subject of 59 characters once rendered: mobile clients cut it, a warning, not an error.
WARNING_FR = with_subject(GOOD_FR, "Facture {{ invoices[0].number }} : rappel de paiement à votre attention")
# Alarmist and accusatory: errors.
BAD_FR = """---
stage: first
language: fr
subjects:
  - "URGENT !!! Facture {{ invoices[0].number }} IMPAYÉE"
ctas:
  - label: Payer
    link: pay
---
{{ contact.greeting }}

Vous devez payer la facture {{ invoices[0].number }} immédiatement. Votre négligence est inacceptable !!
"""
# A clean first subject and an alarmist alternative.
ALARMIST = "URGENT !!! {{ company.legal_name }} : facture {{ invoices[0].number }} IMPAYÉE"
BAD_ALTERNATIVE_FR = with_subject(GOOD_FR, ALARMIST, option=1)


def parsed(source: str, name: str = "first", language: str = "fr"):  # type: ignore[no-untyped-def]
    return parse_template(source, name, language, Path(f"{name}.{language}.md"))


def span(source: str, finding) -> str:  # type: ignore[no-untyped-def]
    """The text of the file a (single-line) finding points at."""
    line = source.split("\n")[finding.line - 1]
    return line[finding.column - 1 : finding.end_column - 1]


def test_a_builtin_template_has_no_error():
    report = lint_template(parsed(GOOD_FR))
    assert report.errors == ()
    assert 0 <= report.score <= 100


def test_alarmist_wording_is_an_error_pointing_into_the_file():
    report = lint_template(parsed(BAD_FR))
    assert report.errors
    assert report.score < 100
    on_subject = [f for f in report.findings if f.line == 5]
    assert on_subject, "the subject is on line 5 of the file"
    assert any("URGENT" in span(BAD_FR, f) for f in on_subject)
    on_body = [f for f in report.findings if f.line == 12]
    assert any("vous devez" in span(BAD_FR, f).lower() for f in on_body)


def test_every_subject_option_is_linted():
    clean = lint_template(parsed(GOOD_FR))
    report = lint_template(parsed(BAD_ALTERNATIVE_FR))
    line = _SUBJECT_LINES[1]
    assert not [f for f in clean.findings if f.line == line]
    alternative = [f for f in report.findings if f.line == line]
    assert alternative and any(f.severity == "error" for f in alternative)
    assert any("URGENT" in span(BAD_ALTERNATIVE_FR, f) for f in alternative)


def test_a_long_subject_is_a_warning_not_an_error():
    report = lint_template(parsed(WARNING_FR))
    assert report.errors == ()
    assert report.warnings


def test_facts_are_formatted_as_the_template_formats_them():
    context = sample_context("fr", "first")
    facts = facts_from_context("fr", context)
    money = environment("fr").filters["money"]
    assert "FA-2026-0142" in facts.invoice_numbers
    assert money(context["invoices"][0]["outstanding"], "EUR") in facts.amounts
    assert "15 mars 2026" in facts.due_dates
    assert {"Boulangerie Martin SARL", "Acme SAS"} <= set(facts.names)
    assert context["links"]["pay"] in facts.link_urls


@pytest.mark.parametrize("language", ["fr", "en"])
def test_facts_of_both_languages(language):
    facts = facts_from_context(language, sample_context(language, "second"))
    assert facts.invoice_numbers[:1] == ("FA-2026-0142",)
    assert ("March 15, 2026" if language == "en" else "15 mars 2026") in facts.due_dates


def test_pasted_text_spans_put_the_subject_on_line_1_and_the_body_from_line_2():
    body = "Bonjour,\nVous devez payer cette facture.\n"
    report = lint_text("first", "fr", "URGENT facture FA-1", body)
    document = "URGENT facture FA-1\n" + body
    assert report.errors
    assert any(f.line == 1 and "URGENT" in span(document, f) for f in report.findings)
    assert any(f.line == 3 and "vous devez" in span(document, f).lower() for f in report.findings)
