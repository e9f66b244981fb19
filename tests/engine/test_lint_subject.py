"""The subject: present, specific, short, personal."""

from __future__ import annotations

import pytest

from relance.engine.lint import ERROR, WARNING, Facts
from tests.engine.test_lint_support import fired, one, run


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("fr", "Facture"),
        ("fr", "Paiement"),
        ("fr", "Rappel de paiement"),
        ("fr", "Facture impayée"),
        ("en", "Invoice"),
        ("en", "Payment"),
        ("en", "Payment reminder"),
        ("en", "Your invoice"),
    ],
)
def test_generic_subjects_are_vague_errors(language: str, subject: str) -> None:
    finding = one(run("first", language, subject=subject), "subject.vague")
    assert (finding.severity, finding.part, finding.excerpt) == (ERROR, "subject", subject)
    assert finding.suggestion
    assert "subject.not_personal" not in fired(run("first", language, subject=subject))


def test_a_subject_with_a_reference_or_a_name_is_not_vague() -> None:
    assert "subject.vague" not in fired(run("first", "fr", subject="Facture F-2026-0142"))
    assert "subject.vague" not in fired(run("first", "fr", subject="Atelier Morel : facture"))


@pytest.mark.parametrize(
    ("language", "subject"),
    [("fr", "Rappel concernant votre règlement en attente"), ("en", "About your pending payment")],
)
def test_a_subject_without_number_or_name_is_not_personal(language: str, subject: str) -> None:
    finding = one(run("first", language, subject=subject), "subject.not_personal")
    assert finding.severity == WARNING
    assert finding.suggestion


def test_personalisation_is_checked_against_facts_when_given() -> None:
    facts = Facts(invoice_numbers=("F-2026-0142",), names=("Atelier Morel",))
    assert "subject.not_personal" in fired(run("first", "fr", subject="Votre Rappel Prévu", facts=facts))
    assert "subject.not_personal" not in fired(
        run("first", "fr", subject="Rappel atelier morel", facts=facts)
    )


def test_template_subjects_are_personal_through_their_variables() -> None:
    report = run("first", "en", subject="Reminder for invoice {{ invoices[0].number }}")
    assert "subject.not_personal" not in fired(report)
    assert "subject.too_long" not in fired(report)  # not measured before rendering


def test_subject_length_thresholds_apply_to_the_rendered_subject() -> None:
    base = "Atelier Morel : facture F-2026-0142"
    assert "subject.too_long" not in fired(run("first", "fr", subject=base + " x" * 7))  # 49
    assert one(run("first", "fr", subject=base + " rappels du mois"), "subject.too_long").severity == WARNING
    long_subject = base + " – second rappel de paiement du mois"
    assert one(run("first", "fr", subject=long_subject), "subject.too_long").severity == ERROR
    rendered = run("first", "fr", subject="{{ x }}", rendered_subject=long_subject)
    assert one(rendered, "subject.too_long").severity == ERROR


def test_an_empty_subject_is_an_error() -> None:
    assert one(run("first", "fr", subject="  "), "subject.missing").severity == ERROR


def test_a_fake_reply_prefix_is_a_warning() -> None:
    finding = one(run("first", "en", subject="RE: invoice INV-2026-0311"), "subject.fake_reply")
    assert (finding.severity, finding.suggestion) == (WARNING, "invoice INV-2026-0311")


def test_english_subjects_follow_the_same_length_and_emptiness_rules() -> None:
    long_subject = "Harbour Design: a second reminder about invoice INV-2026-0311 from March"
    finding = one(run("second", "en", subject=long_subject), "subject.too_long")
    assert (finding.severity, finding.part) == (ERROR, "subject")
    assert "mobile" in finding.message
    assert one(run("first", "en", subject=""), "subject.missing").severity == ERROR


def test_a_french_forwarded_subject_is_a_fake_reply() -> None:
    assert (
        one(run("first", "fr", subject="TR: facture F-2026-0142"), "subject.fake_reply").severity == WARNING
    )
