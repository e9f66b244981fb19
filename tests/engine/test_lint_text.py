"""Normalisation, stemming, phrase matching and the mapping of spans back to the source."""

from __future__ import annotations

import pytest

from relance.engine.lint import LintInput, lint
from relance.engine.lint.matcher import PhraseSet
from relance.engine.lint.normalise import Text, fold, mask
from relance.engine.lint.stemming import stem
from tests.engine.test_lint_support import one


def test_fold_removes_case_accents_and_ligatures() -> None:
    assert fold("RETARDÉE") == "retardee"
    assert fold("Œuvre à Noël") == "oeuvre a noel"


@pytest.mark.parametrize(
    "word", ["retard", "retards", "retardé", "retardée", "retardés", "retarder", "RETARDÉES"]
)
def test_french_inflections_of_retard_share_a_stem(word: str) -> None:
    assert stem(fold(word), "fr") == stem("retard", "fr")


@pytest.mark.parametrize("word", ["impayé", "impayée", "impayés", "impayées", "Impayee"])
def test_french_inflections_of_impaye_share_a_stem(word: str) -> None:
    assert stem(fold(word), "fr") == stem(fold("impayé"), "fr")


@pytest.mark.parametrize("word", ["relance", "relances", "relancer", "relançons", "relancé"])
def test_french_verb_forms_share_a_stem(word: str) -> None:
    assert stem(fold(word), "fr") == stem("relance", "fr")


@pytest.mark.parametrize("word", ["fail", "failed", "failing", "fails"])
def test_english_inflections_of_fail_share_a_stem(word: str) -> None:
    assert stem(word, "en") == "fail"


def test_english_stemmer_keeps_unrelated_words_apart() -> None:
    assert stem("late", "en") != stem("later", "en")
    assert stem("late", "en") != stem("latest", "en")
    assert stem("penalties", "en") == stem("penalty", "en")


def test_masking_keeps_length_and_blanks_urls_emails_and_jinja_code() -> None:
    source = "Payez {{ inv.number }} sur https://x.fr/IMPAYE ou écrivez à a@b.fr {# note #}"
    masked = mask(source)
    assert len(masked) == len(source)
    assert "inv" not in masked and "IMPAYE" not in masked and "a@b" not in masked and "note" not in masked
    assert masked.startswith("Payez ")


def test_masking_keeps_the_text_of_jinja_string_literals() -> None:
    masked = mask("{{ 'factures' if many else 'facture' }}")
    assert "factures" in masked and "many" not in masked


def test_apostrophes_and_hyphens_separate_tokens() -> None:
    words = [t.norm for t in Text("Pourquoi n’avez-vous pas payé ?", "fr").tokens]
    assert words == ["pourquoi", "n", "avez", "vous", "pas", "paye"]


def test_tokens_keep_their_source_offsets() -> None:
    text = Text("Bonjour,\nla facture IMPAYÉE", "fr")
    token = text.tokens[-1]
    assert text.source[token.start : token.end] == "IMPAYÉE"
    assert text.position(token.start) == (2, 12)


def test_positions_are_shifted_by_the_base_line_and_column_of_the_text() -> None:
    text = Text("abc\ndef", "fr", line=10, column=5)
    assert text.position(1) == (10, 6)  # first line: offset by the column too
    assert text.position(5) == (11, 2)  # later lines start at column 1


def _phrases(*patterns: str) -> PhraseSet[str]:
    phrases: PhraseSet[str] = PhraseSet("fr")
    for p in patterns:
        phrases.add(p, p)
    return phrases


def test_gap_matches_up_to_two_words_within_a_clause() -> None:
    phrases = _phrases("vous n'avez * pas payé")
    assert phrases.any_in(Text("Vous n'avez toujours pas payé.", "fr").tokens)
    assert not phrases.any_in(Text("Vous n'avez, je crois, vraiment toujours pas payé.", "fr").tokens)


def test_phrases_never_span_a_sentence_break() -> None:
    assert not _phrases("facture impayée").any_in(Text("Voici la facture. Impayée ?", "fr").tokens)


def test_exact_form_slots_do_not_match_other_forms_of_the_stem() -> None:
    phrases = _phrases("nous =exigeons")
    assert phrases.any_in(Text("Nous exigeons", "fr").tokens)
    assert not phrases.any_in(Text("nous exigerons", "fr").tokens)


def test_a_longer_match_suppresses_the_one_it_contains_and_shields_win() -> None:
    phrases = _phrases("retard", "pénalités de retard")
    phrases.add("sans retard", "shield", shield=True)
    found = [m.item for m in phrases.find(Text("Des pénalités de retard ; livré sans retard.", "fr").tokens)]
    assert found == ["pénalités de retard"]


def test_span_of_a_word_on_the_third_body_line_accounts_for_the_body_offset() -> None:
    body = "Bonjour Madame Roy,\n\nLa facture reste impayée depuis mars.\n"
    report = lint(LintInput(stage="first", language="fr", subject="Facture F-1", body=body, body_line=12))
    finding = one(report, "vocabulary.avoid")
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (14, 18, 14, 25)
    assert finding.excerpt == "impayée"
    assert body.split("\n")[2][finding.column - 1 : finding.end_column - 1] == "impayée"


def test_span_in_the_subject_accounts_for_subject_line_and_column() -> None:
    report = lint(
        LintInput(
            stage="first",
            language="en",
            subject="Unpaid invoice INV-7",
            body="Hi Ann,\n",
            subject_line=3,
            subject_column=10,
        )
    )
    finding = one(report, "vocabulary.avoid")
    assert (finding.line, finding.column, finding.end_column, finding.part) == (3, 10, 16, "subject")
