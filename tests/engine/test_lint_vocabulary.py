"""Stage vocabulary (avoid / prefer), collection and legal words used too early, and the phrase-based tone
rules (accusatory, hostile, threat, urgency), in French and English."""

from __future__ import annotations

import pytest

from relance.engine.lint import ERROR, INFO, WARNING
from tests.engine.test_lint_support import fired, one, only, run


@pytest.mark.parametrize(
    ("language", "sentence", "excerpt", "suggestion"),
    [
        ("fr", "Cette facture est toujours impayée.", "impayée", "non réglée à ce jour"),
        ("fr", "Ces factures IMPAYÉES nous inquiètent.", "IMPAYÉES", "non réglée à ce jour"),
        ("fr", "Le règlement est retardé.", "retardé", "date d'échéance dépassée"),
        ("fr", "Nous constatons des retards répétés.", "retards", "date d'échéance dépassée"),
        ("fr", "La somme de 40 € reste due.", "somme", "montant"),
        ("fr", "Nous vous relançons à ce sujet.", "Nous vous relançons", "Nous revenons vers vous"),
        ("en", "This invoice is still unpaid.", "unpaid", "not yet settled"),
        ("en", "We are chasing this payment.", "chasing", "follow up on"),
        ("en", "The sum of $40 remains open.", "sum", "amount"),
    ],
)
def test_avoided_words_are_flagged_with_a_suggestion_in_any_inflection(
    language: str, sentence: str, excerpt: str, suggestion: str
) -> None:
    finding = one(run("first", language, sentence), "vocabulary.avoid")
    assert finding.excerpt == excerpt
    assert finding.severity == WARNING
    assert finding.suggestion == suggestion
    assert excerpt in finding.message


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("fr", "Nous sommes ravis de travailler avec vous."),
        ("fr", "Nous ne sommes pas pressés."),
        ("fr", "Votre commande a été livrée sans retard."),
        ("fr", "Nous tenons à la poursuite de notre collaboration."),
        ("fr", "Il y a peut-être eu une erreur de saisie."),
        ("en", "We will ship the rest in late March."),
        ("en", "Please let us know at the latest by Friday."),
        ("en", "It can be paid as a lump sum."),
    ],
)
def test_harmless_uses_of_flagged_words_are_not_reported(language: str, sentence: str) -> None:
    assert fired(run("first", language, sentence)) == set()


def test_oubli_is_fine_before_the_due_date_but_not_after() -> None:
    sentence = "Un simple oubli est vite arrivé."

    def flagged(stage: str, text: str) -> list[str]:
        return [f.excerpt for f in only(run(stage, "fr", text), "vocabulary.avoid")]

    assert "oubli" not in flagged("pre_due", sentence)
    assert "oubli" in flagged("first", sentence)
    assert fired(run("first", "fr", "Ce rappel vise à éviter les oublis.")) == set()


def test_retard_is_not_flagged_at_the_final_stage_where_it_is_factual() -> None:
    report = run("final", "fr", "Le retard de paiement persiste.")
    assert "vocabulary.avoid" not in fired(report)


def test_unpaid_is_only_an_info_at_the_final_stage() -> None:
    finding = one(run("final", "en", "The invoice remains unpaid."), "vocabulary.avoid")
    assert finding.severity == INFO


def test_overdue_is_wrong_before_the_due_date_but_fine_after_it() -> None:
    assert "vocabulary.avoid" in fired(run("pre_due", "en", "Your overdue invoice."))
    assert "vocabulary.avoid" not in fired(run("first", "en", "Your overdue invoice."))


def test_subscription_stages_get_their_own_suggestion() -> None:
    finding = one(run("payment_failed_1", "fr", "Votre paiement est impayé."), "vocabulary.avoid")
    assert finding.suggestion == "paiement non abouti"


@pytest.mark.parametrize(
    ("language", "sentence", "excerpt"),
    [
        ("fr", "Le dossier partira au contentieux.", "contentieux"),
        ("fr", "Ce message vaut mise en demeure.", "mise en demeure"),
        ("fr", "Nous ferons appel à un huissier.", "huissier"),
        ("fr", "Une procédure judiciaire sera engagée.", "procédure judiciaire"),
        ("en", "We will start legal action.", "legal action"),
        ("en", "The file goes to a debt collector.", "debt collector"),
    ],
)
def test_collection_vocabulary_is_an_error_before_the_final_stage(
    language: str, sentence: str, excerpt: str
) -> None:
    finding = one(run("first", language, sentence), "vocabulary.collection_too_early")
    assert (finding.severity, finding.excerpt) == (ERROR, excerpt)
    assert finding.suggestion
    assert "vocabulary.collection_too_early" not in fired(run("final", language, sentence))


@pytest.mark.parametrize(
    ("language", "sentence", "excerpt"),
    [
        ("fr", "Des pénalités de retard sont prévues.", "pénalités de retard"),
        ("fr", "Voir l'article L441-10 du Code de commerce.", "article L441-10"),
        ("fr", "Une indemnité forfaitaire est due.", "indemnité forfaitaire"),
        ("en", "Late payment interest may accrue.", "Late payment interest"),
    ],
)
def test_legal_mentions_before_the_final_stage_are_a_warning(
    language: str, sentence: str, excerpt: str
) -> None:
    report = run("second", language, sentence)
    finding = only(report, "vocabulary.legal_too_early")[0]
    assert (finding.severity, finding.excerpt) == (WARNING, excerpt)
    assert "vocabulary.avoid" not in fired(report)  # the "retard" inside is not reported twice


def test_a_legal_collection_word_is_not_also_a_collection_threat() -> None:
    report = run("second", "fr", "Une indemnité pour frais de recouvrement s'applique.")
    assert "vocabulary.collection_too_early" not in fired(report)


@pytest.mark.parametrize(
    ("language", "sentence", "excerpt", "suggestion"),
    [
        ("fr", "Vous devez régler cette facture.", "Vous devez", "Nous vous remercions de …"),
        ("fr", "Vous n'avez toujours pas payé.", "Vous n'avez toujours pas payé", None),
        ("fr", "Pourquoi n'avez-vous pas réglé ?", "Pourquoi n'avez-vous pas", None),
        ("fr", "C'est une négligence de votre part.", "négligence", None),
        ("fr", "Vous avez sans doute oublié.", "Vous avez sans doute oublié", None),
        ("en", "You must pay this invoice.", "You must", None),
        ("en", "You have not paid this invoice.", "You have not paid", None),
        ("en", "You failed to pay on time.", "You failed to", None),
        ("en", "Why haven't you paid?", "Why haven't you", None),
    ],
)
def test_accusatory_wording_is_an_error_with_a_courteous_alternative(
    language: str, sentence: str, excerpt: str, suggestion: str | None
) -> None:
    finding = one(run("first", language, sentence), "tone.accusatory")
    assert (finding.severity, finding.excerpt) == (ERROR, excerpt)
    assert finding.suggestion
    if suggestion:
        assert finding.suggestion == suggestion


def test_a_conditional_need_is_not_an_accusation() -> None:
    assert "tone.accusatory" not in fired(run("first", "fr", "Si vous devez modifier l'adresse, dites-le."))
    assert "tone.accusatory" not in fired(run("first", "en", "Your payment failed to go through."))


@pytest.mark.parametrize(
    ("language", "sentence"),
    [("fr", "Votre attitude est inadmissible."), ("en", "This is unacceptable.")],
)
def test_hostile_words_are_an_error_at_every_stage(language: str, sentence: str) -> None:
    for stage in ("pre_due", "final"):
        assert one(run(stage, language, sentence), "tone.hostile").severity == ERROR


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("fr", "Faute de quoi nous serons contraints d'agir."),
        ("fr", "Nous suspendrons vos livraisons."),
        ("en", "Otherwise we will pass the file to our partner."),
        ("en", "We will be forced to stop deliveries."),
    ],
)
def test_threats_are_an_error_before_the_final_stage_and_fine_at_it(language: str, sentence: str) -> None:
    assert {f.severity for f in only(run("first", language, sentence), "tone.threat")} == {ERROR}
    assert "tone.threat" not in fired(run("final", language, sentence))


def test_consequences_are_preferred_at_the_second_reminder_but_premature_at_the_first() -> None:
    sentence = "Un retard prolongé peut avoir des conséquences."
    assert "tone.threat" in fired(run("first", "fr", sentence))
    assert "tone.threat" not in fired(run("second", "fr", sentence))


def test_losing_access_is_too_early_at_a_first_failed_payment_and_expected_later() -> None:
    sentence = "Your account will be suspended on 3 May."
    assert one(run("payment_failed_1", "en", sentence), "tone.threat").severity == WARNING
    assert "tone.threat" not in fired(run("payment_failed_3", "en", sentence))


def test_urgent_is_an_error_in_a_subject_and_a_warning_in_a_body() -> None:
    report = run("first", "fr", "C'est urgent.", subject="Urgent : facture F-2026-0142")
    severities = {f.part: f.severity for f in only(report, "tone.urgency")}
    assert severities == {"subject": ERROR, "body": WARNING}


def test_pressing_words_are_flagged_at_friendly_stages_only() -> None:
    assert "tone.urgency" in fired(run("pre_due", "en", "Please pay immediately."))
    assert "tone.urgency" not in fired(run("second", "en", "Please pay immediately."))


def test_missing_preferred_vocabulary_is_at_most_an_info() -> None:
    report = run("pre_due", "fr", body="Bonjour,\nVoici la facture.\n")
    finding = one(report, "vocabulary.prefer")
    assert finding.severity == INFO
    assert "rappel courtois" in finding.message
    assert not only(run("pre_due", "fr", "Un rappel courtois."), "vocabulary.prefer")


def test_subject_words_are_checked_too_and_point_at_the_subject() -> None:
    finding = one(run("first", "fr", subject="Relance facture F-2026-0142"), "vocabulary.avoid")
    assert (finding.part, finding.excerpt, finding.suggestion) == ("subject", "Relance", "Rappel")


def test_english_urgency_in_a_subject_is_an_error() -> None:
    finding = one(run("first", "en", subject="Urgent: invoice INV-2026-0311"), "tone.urgency")
    assert (finding.severity, finding.part, finding.suggestion) == (ERROR, "subject", "Important")


def test_english_missing_preferred_vocabulary_is_an_info() -> None:
    finding = one(run("pre_due", "en", body="Hi,\nHere is the invoice.\n"), "vocabulary.prefer")
    assert finding.severity == INFO
    assert "friendly reminder" in finding.message
