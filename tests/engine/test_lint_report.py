"""The public API: input validation, report contents, ordering, score."""

from __future__ import annotations

import pytest

from relance.engine.lint import ERROR, INFO, WARNING, Finding, LintInput, lint
from relance.engine.lint.score import score
from tests.engine.test_lint_support import run


def _finding(rule: str, severity: str, excerpt: str = "") -> Finding:
    return Finding(rule, severity, "m", 1, 1, 1, 1, excerpt=excerpt)


def test_score_subtracts_weights_by_severity() -> None:
    assert score([]) == 100
    assert score([_finding("a", ERROR), _finding("b", WARNING), _finding("c", WARNING)]) == 73
    assert score([_finding("a", INFO)]) == 99


def test_a_repeated_problem_costs_its_full_weight_once() -> None:
    repeated = [
        _finding("vocabulary.avoid", WARNING, "impayée"),
        _finding("vocabulary.avoid", WARNING, "IMPAYÉE"),
    ]
    assert score(repeated) == 100 - 6 - 1


def test_score_is_floored_at_zero() -> None:
    assert score([_finding(f"r{i}", ERROR) for i in range(10)]) == 0


def test_a_good_message_scores_high_and_a_bad_one_low() -> None:
    good = run("first", "fr")
    bad = run(
        "first",
        "fr",
        "URGENT !!! Vous devez payer immédiatement sinon contentieux. C'est inadmissible.",
        subject="Facture",
    )
    assert good.score >= 95
    assert bad.score <= 25
    assert bad.errors and not good.errors


def test_findings_come_in_source_order_sender_and_subject_first() -> None:
    report = run("first", "fr", "La facture impayée.", subject="Relance F-2026-0142", sender="noreply@a.fr")
    parts = [f.part for f in report.findings if f.severity != INFO]
    assert parts == ["sender", "subject", "body"]
    assert report.rules == {"sender.no_reply", "vocabulary.avoid"}


@pytest.mark.parametrize(("field", "value"), [("stage", "third"), ("language", "de")])
def test_unknown_stage_or_language_is_refused(field: str, value: str) -> None:
    kwargs = {"stage": "first", "language": "fr", "subject": "s", "body": "b", field: value}
    with pytest.raises(ValueError, match=value):
        lint(LintInput(**kwargs))  # type: ignore[arg-type]


def test_messages_are_in_the_input_language() -> None:
    fr = run("first", "fr", "Vous devez payer.")
    en = run("first", "en", "You must pay.")
    assert "client" in fr.errors[0].message
    assert "customer" in en.errors[0].message
