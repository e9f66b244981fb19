"""Shouting in capitals and bursts of exclamation marks, and what must not be mistaken for them."""

from __future__ import annotations

import pytest

from relance.engine.lint import ERROR, WARNING, Facts, LintInput, lint
from tests.engine.test_lint_support import fired, one, run


@pytest.mark.parametrize(
    ("language", "sentence", "excerpt", "suggestion"),
    [
        (
            "fr",
            "CETTE FACTURE DOIT ÊTRE RÉGLÉE cette semaine.",
            "CETTE FACTURE DOIT ÊTRE RÉGLÉE",
            "Cette facture doit être réglée",
        ),
        ("en", "Please settle it PROMPTLY.", "PROMPTLY", "Promptly"),
    ],
)
def test_words_in_capitals_in_the_body_are_a_warning_grouped_into_one_span(
    language: str, sentence: str, excerpt: str, suggestion: str
) -> None:
    finding = one(run("first", language, sentence), "tone.capitals")
    assert (finding.severity, finding.excerpt, finding.suggestion) == (WARNING, excerpt, suggestion)


def test_capitals_in_the_subject_are_an_error() -> None:
    finding = one(run("first", "fr", subject="FACTURE F-2026-0142 Atelier Morel"), "tone.capitals")
    assert (finding.severity, finding.part, finding.excerpt) == (ERROR, "subject", "FACTURE")


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("fr", "Montant HT, TVA et TTC ; SIRET et IBAN sur la facture PDF, paiement SEPA ou CB."),
        ("en", "Amount excluding VAT in GBP or USD; PDF attached; pay by BACS or SWIFT."),
        ("fr", "Code BIC BNPAFRPP, IBAN FR76 3000 4000 0312 3456 7890 143."),
        ("fr", "Référence client FACT-2026-0142 à rappeler."),
        ("fr", "Le montant est de {{ TOTAL_DUE }} : {% if URGENT_FLAG %}{% endif %}"),
        ("en", "Details at https://pay.example.com/INVOICE/UNPAID-LIST and mailto:BILLING@EXAMPLE.COM"),
        ("en", "Our partner ACME LOGISTICS LTD will deliver."),
    ],
)
def test_acronyms_codes_template_code_urls_and_company_names_are_not_shouting(
    language: str, sentence: str
) -> None:
    assert "tone.capitals" not in fired(run("first", language, sentence))


def test_capitals_in_the_signature_are_a_name_not_shouting() -> None:
    text = "Bonjour Paul,\n\nMerci.\n\nCordialement,\nCLAIRE MARTIN\nATELIER MOREL\n"
    report = lint(LintInput(stage="first", language="fr", subject="Facture F-1", body=text))
    assert "tone.capitals" not in fired(report)


def test_names_from_facts_are_not_shouting() -> None:
    text = "Bonjour,\nVotre compte MORVAN est à jour.\n"
    inp = LintInput(stage="first", language="fr", subject="F-1", body=text, facts=Facts(names=("MORVAN",)))
    assert "tone.capitals" not in fired(lint(inp))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_three_exclamation_marks_are_an_error_two_a_warning_one_nothing(language: str) -> None:
    assert one(run("first", language, "Merci !!!"), "tone.exclamation").severity == ERROR
    assert one(run("first", language, "Merci !!"), "tone.exclamation").severity == WARNING
    assert "tone.exclamation" not in fired(run("first", language, "Merci !"))


def test_exclamation_marks_in_a_subject_are_an_error() -> None:
    finding = one(run("first", "en", subject="Invoice INV-1 due!!"), "tone.exclamation")
    assert (finding.severity, finding.part, finding.excerpt) == (ERROR, "subject", "!!")


def test_several_separate_exclamation_marks_in_a_subject_are_a_warning() -> None:
    finding = one(run("first", "en", subject="Hello! Invoice INV-1 is due!"), "tone.exclamation")
    assert finding.severity == WARNING


def test_exclamation_marks_inside_template_code_are_ignored() -> None:
    sentence = "{{ 'a' if x != y else 'b' }}{% if a != b and c != d %}ok{% endif %}"
    assert "tone.exclamation" not in fired(run("first", "fr", sentence))
