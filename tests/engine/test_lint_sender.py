"""The sender must be reachable; buttons must point somewhere real and say what they do."""

from __future__ import annotations

import pytest

from relance.engine.lint import ERROR, INFO, WARNING
from tests.engine.test_lint_support import fired, one, only, run


@pytest.mark.parametrize(
    "sender",
    [
        "noreply@acme.fr",
        "Acme <no-reply@acme.fr>",
        "no_reply@acme.fr",
        "DoNotReply@acme.com",
        "do-not-reply@acme.com",
        "Acme <ne-pas-repondre@acme.fr>",
        "nepasrepondre@acme.fr",
    ],
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_reply_senders_are_an_error(sender: str, language: str) -> None:
    finding = one(run("first", language, sender=sender), "sender.no_reply")
    assert (finding.severity, finding.part, finding.excerpt) == (ERROR, "sender", sender)
    assert finding.suggestion and "@" in finding.suggestion


def test_a_person_sender_is_fine_and_a_service_sender_is_an_info() -> None:
    assert not only(run("first", "fr", sender="Claire Martin <claire@atelier-morel.fr>"), "sender.impersonal")
    assert (
        one(run("first", "fr", sender="Service comptabilité <compta@a.fr>"), "sender.impersonal").severity
        == INFO
    )
    assert "sender.no_reply" not in fired(run("first", "en", sender="Replyable Rita <rita@a.com>"))


def test_a_button_pointing_at_an_unknown_link_is_an_error() -> None:
    report = run(
        "first",
        "en",
        ctas=(("Pay my invoice", "pay"), ("Download the invoice", "invoice_pdf")),
        known_links=frozenset({"pay", "invoice"}),
    )
    finding = one(report, "cta.unknown_link")
    assert (finding.severity, finding.part, finding.excerpt, finding.suggestion) == (
        ERROR,
        "cta",
        "Download the invoice",
        "invoice",
    )
    assert "invoice_pdf" in finding.message


def test_links_are_not_checked_when_the_known_links_are_not_given() -> None:
    assert "cta.unknown_link" not in fired(run("first", "fr", ctas=(("Régler ma facture", "pay"),)))


@pytest.mark.parametrize(
    ("language", "label", "better"),
    [("fr", "Cliquez ici", "Régler ma facture"), ("en", "Click here", "Pay my invoice")],
)
def test_click_here_buttons_get_an_action_label(language: str, label: str, better: str) -> None:
    finding = one(run("first", language, ctas=((label, "pay"),)), "cta.vague_label")
    assert (finding.severity, finding.suggestion) == (WARNING, better)


def test_a_french_button_pointing_at_an_unknown_link_is_an_error_in_french() -> None:
    report = run("first", "fr", ctas=(("Régler ma facture", "paiement"),), known_links=frozenset({"pay"}))
    finding = one(report, "cta.unknown_link")
    assert finding.severity == ERROR
    assert "n'existe pas" in finding.message


def test_a_reply_to_read_by_a_person_softens_a_no_reply_sender_to_a_warning() -> None:
    report = run("first", "en", sender="noreply@acme.com", reply_to="Ann Lee <ann@acme.com>")
    assert one(report, "sender.no_reply").severity == WARNING
    report = run("first", "en", sender="noreply@acme.com", reply_to="donotreply@acme.com")
    assert one(report, "sender.no_reply").severity == ERROR
