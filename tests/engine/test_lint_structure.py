"""The parts a reminder needs, per stage, on the rendered text, the source's template variables or Facts."""

from __future__ import annotations

import pytest

from relance.engine.lint import ERROR, INFO, WARNING, Facts, LintInput, lint
from tests.engine.test_lint_support import GOOD_EN, GOOD_FR, fired, one, run


def _without(text: str, *fragments: str) -> str:
    for fragment in fragments:
        assert fragment in text, fragment
        text = text.replace(fragment, "")
    return text


@pytest.mark.parametrize(
    ("language", "template", "fragments", "rule"),
    [
        ("fr", GOOD_FR, ["Bonjour Madame Lefèvre,"], "structure.greeting"),
        ("fr", GOOD_FR, [" F-2026-0142", "/f/F-2026-0142"], "structure.invoice_number"),
        ("fr", GOOD_FR, [" d'un montant de 1 840,00 €"], "structure.amount"),
        ("fr", GOOD_FR, [", échue le 15 mars 2026"], "structure.due_date"),
        (
            "fr",
            GOOD_FR,
            ["Vous pouvez la régler en ligne : https://pay.atelier-morel.fr/f/F-2026-0142"],
            "structure.payment_link",
        ),
        (
            "fr",
            GOOD_FR,
            ["Pour toute question, n'hésitez pas à me répondre directement."],
            "structure.help_offer",
        ),
        (
            "fr",
            GOOD_FR,
            ["Si vous avez déjà effectué le règlement, merci de ne pas tenir compte de ce message."],
            "structure.already_paid",
        ),
        (
            "fr",
            GOOD_FR,
            ["Cordialement,\nClaire Martin\nAtelier Morel – 01 42 18 77 30\n"],
            "structure.signature",
        ),
        ("en", GOOD_EN, ["Hi Sarah,"], "structure.greeting"),
        ("en", GOOD_EN, ["Invoice INV-2026-0311", "/i/INV-2026-0311"], "structure.invoice_number"),
        ("en", GOOD_EN, [" for £1,250.00"], "structure.amount"),
        ("en", GOOD_EN, [", which fell due on 14 March 2026,"], "structure.due_date"),
        (
            "en",
            GOOD_EN,
            ["You can pay it online here: https://pay.harbourdesign.co.uk/i/INV-2026-0311"],
            "structure.payment_link",
        ),
        ("en", GOOD_EN, ["If you have any questions, just reply to this email."], "structure.help_offer"),
        (
            "en",
            GOOD_EN,
            ["If you have already paid, please disregard this message."],
            "structure.already_paid",
        ),
        ("en", GOOD_EN, [" – 020 7946 0321"], "structure.signature"),
    ],
)
def test_each_missing_part_is_reported_with_a_suggestion(
    language: str, template: str, fragments: list[str], rule: str
) -> None:
    text = _without(template.format(extra=""), *fragments)
    report = run("first", language, body=text)
    finding = one(report, rule)
    assert finding.severity == WARNING
    assert finding.suggestion
    assert (finding.line, finding.column, finding.end_column) == (1, 1, 1)  # missing: points at the body
    assert fired(report) == {rule}


def test_a_generic_greeting_is_only_an_info() -> None:
    text = GOOD_FR.format(extra="").replace("Bonjour Madame Lefèvre,", "Madame, Monsieur,")
    assert one(run("first", "fr", body=text), "structure.greeting").severity == INFO


def test_bank_details_without_a_link_are_only_an_info() -> None:
    text = GOOD_EN.format(extra="").replace(
        "You can pay it online here: https://pay.harbourdesign.co.uk/i/INV-2026-0311",
        "Bank transfer: sort code 20-45-77, account 43917725.",
    )
    assert one(run("first", "en", body=text), "structure.payment_link").severity == INFO


def test_a_call_to_action_button_counts_as_a_payment_link() -> None:
    text = _without(GOOD_FR.format(extra=""), "https://pay.atelier-morel.fr/f/F-2026-0142")
    report = run(
        "first", "fr", body=text, ctas=(("Régler ma facture", "pay"),), known_links=frozenset({"pay"})
    )
    assert "structure.payment_link" not in fired(report)


def test_help_and_already_paid_lines_are_optional_before_the_due_date() -> None:
    text = _without(
        GOOD_FR.format(extra=""),
        ", échue le 15 mars 2026, n'a pas encore été réglée",
        "Si vous avez déjà effectué le règlement, merci de ne pas tenir compte de ce message.",
        "Pour toute question, n'hésitez pas à me répondre directement.",
    ).replace("1 840,00 €", "1 840,00 €, arrivera à échéance le 15 mars 2026")
    report = run("pre_due", "fr", body=text)
    assert fired(report) == set()
    assert {f.rule for f in report.infos} >= {"structure.help_offer", "structure.already_paid"}


LEGAL_FR = (
    "Des pénalités de retard et une indemnité forfaitaire de 40 € pour frais de recouvrement s'appliquent."
)
FINAL_FR = GOOD_FR.format(
    extra="Sans règlement au plus tard le 30 avril 2026, le dossier sera confié à notre service de "
    f"recouvrement.\n{LEGAL_FR}"
)


def test_a_complete_final_notice_is_clean() -> None:
    assert fired(run("final", "fr", body=FINAL_FR)) == set()


def test_a_final_notice_needs_consequences_and_a_deadline() -> None:
    text = GOOD_FR.format(extra="Pénalités de retard et indemnité forfaitaire de 40 € applicables.")
    report = run("final", "fr", body=text)
    assert one(report, "structure.consequences").severity == ERROR
    assert one(report, "structure.deadline").severity == ERROR


def test_the_law_s_recovery_costs_are_not_an_announced_consequence() -> None:
    text = GOOD_FR.format(
        extra="Merci de régler avant le 30 avril 2026. Une indemnité forfaitaire pour frais de recouvrement "
        "de 40 € et des pénalités de retard s'appliquent."
    )
    assert "structure.consequences" in fired(run("final", "fr", body=text))


def test_the_due_date_is_not_a_deadline() -> None:
    text = GOOD_EN.format(extra="Otherwise the account will go to our collection agency.")
    report = run("final", "en", body=text, country="GB")
    assert fired(report) == {"structure.deadline"}


def test_french_creditors_must_state_penalties_and_the_40_euro_indemnity_at_the_final_stage() -> None:
    text = FINAL_FR.replace(LEGAL_FR, "")
    finding = one(run("final", "fr", body=text), "structure.legal_mentions")
    assert finding.severity == WARNING
    assert "L441-10" in (finding.suggestion or "")
    assert "structure.legal_mentions" not in fired(run("final", "fr", body=text, country="BE"))
    only_penalties = FINAL_FR.replace("et une indemnité forfaitaire de 40 € pour frais de recouvrement ", "")
    assert "40" in one(run("final", "fr", body=only_penalties), "structure.legal_mentions").message


def test_english_legal_mentions_count_for_a_french_creditor() -> None:
    text = GOOD_EN.format(
        extra="Unless paid by 30 April 2026, the account goes to our collection agency. Late-payment "
        "penalties and a fixed compensation of €40 for recovery costs apply."
    )
    assert fired(run("final", "en", body=text, country="FR")) == set()


def test_saas_messages_need_an_update_link_not_an_invoice_number() -> None:
    text = "Hi Chris,\n\nYour payment didn't go through.\n\nQuestions? Just reply.\n\nMaya, Tallyboard\n"
    assert fired(run("payment_failed_1", "en", body=text)) == {"structure.update_link"}


def test_a_last_warning_needs_the_date_access_stops_and_what_is_lost() -> None:
    text = (
        "Bonjour Camille,\n\nVotre paiement a encore échoué. Mettez à jour votre carte : https://app.notio.fr/c\n\n"
        "Une question ? Répondez à ce message.\n\nRomain, de l'équipe Notio\n"
    )
    report = run("final_warning", "fr", body=text)
    assert {
        f.severity for f in report.findings if f.rule in ("structure.deadline", "structure.consequences")
    } == {ERROR}
    complete = text.replace(
        "Mettez", "Sans mise à jour d'ici le 20 mai 2026, vous perdrez l'accès à vos documents. Mettez"
    )
    assert fired(run("final_warning", "fr", body=complete)) == set()


def test_a_payment_plan_proposal_must_spell_out_the_plan() -> None:
    assert "structure.plan_offer" in fired(run("payment_plan", "en"))
    assert "structure.plan_offer" not in fired(
        run("payment_plan", "en", "We can split it into three instalments.")
    )


def test_an_alternative_offer_must_offer_an_alternative() -> None:
    assert "structure.alternative" in fired(run("alternative", "fr"))
    assert "structure.alternative" not in fired(
        run("alternative", "fr", "Vous pouvez passer à l'offre gratuite.")
    )


def test_template_sources_count_their_variables_when_not_rendered() -> None:
    source = (
        "{% set inv = invoices[0] %}\n{{ contact.greeting }}\n\n"
        "La facture {{ inv.number }} de {{ inv.outstanding|money }}, échue le {{ inv.due_date|date }}.\n"
        "{{ buttons() }}\nSi vous avez déjà réglé, ignorez ce message. Une question ? Répondez-moi.\n\n"
        "Cordialement,\n{{ sender.signature }}\n"
    )
    assert (
        fired(lint(LintInput(stage="first", language="fr", subject="{{ inv.number }}", body=source))) == set()
    )


def test_the_rendered_body_is_read_for_structure_and_the_source_for_words() -> None:
    source = "{{ greeting }}\nLa facture est impayée.\n{{ rest }}"
    rendered = GOOD_FR.format(extra="")
    report = lint(
        LintInput(
            stage="first", language="fr", subject="Facture F-2026-0142", body=source, rendered_body=rendered
        )
    )
    assert fired(report) == {"vocabulary.avoid"}
    assert one(report, "vocabulary.avoid").line == 2


def test_facts_are_looked_for_in_the_rendered_body() -> None:
    facts = Facts(invoice_numbers=("F-2026-0999",), amounts=("9 999,00 €",), due_dates=("1 juin 2026",))
    report = run("first", "fr", facts=facts)
    assert fired(report) == {
        "structure.invoice_number",
        "structure.amount",
        "structure.due_date",
        "subject.not_personal",
    }
    matching = Facts(
        invoice_numbers=("F-2026-0142",), amounts=("1\u00a0840,00\u00a0€",), due_dates=("15 mars 2026",)
    )
    assert fired(run("first", "fr", facts=matching)) == set()
