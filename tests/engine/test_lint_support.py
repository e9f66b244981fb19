"""Reference messages and helpers shared by the linter tests, and the check that the references are clean."""

from __future__ import annotations

from typing import Any

import pytest

from relance.engine.lint import ERROR, WARNING, Finding, LintInput, LintReport, lint

GOOD_FR = """Bonjour Madame Lefèvre,

La facture F-2026-0142 d'un montant de 1 840,00 €, échue le 15 mars 2026, n'a pas encore été réglée.
{extra}
Vous pouvez la régler en ligne : https://pay.atelier-morel.fr/f/F-2026-0142

Si vous avez déjà effectué le règlement, merci de ne pas tenir compte de ce message.
Pour toute question, n'hésitez pas à me répondre directement.

Cordialement,
Claire Martin
Atelier Morel – 01 42 18 77 30
"""

GOOD_EN = """Hi Sarah,

Invoice INV-2026-0311 for £1,250.00, which fell due on 14 March 2026, has not been settled yet.
{extra}
You can pay it online here: https://pay.harbourdesign.co.uk/i/INV-2026-0311

If you have already paid, please disregard this message.
If you have any questions, just reply to this email.

Kind regards,
Tom Whitaker
Harbour Design Ltd – 020 7946 0321
"""

GOOD_SAAS_FR = """Bonjour Camille,

Le paiement de 29,00 € pour votre abonnement Notio n'a pas abouti.
{extra}
Mettez à jour votre carte ici : https://app.notio.fr/facturation/carte

Une question ? Répondez simplement à ce message.

Romain, de l'équipe Notio
romain@notio.fr
"""

GOOD_SAAS_EN = """Hi Chris,

Your $29.00 payment for Tallyboard didn't go through.
{extra}
Update your card here: https://app.tallyboard.io/billing/card

Questions? Just reply to this email.

Maya from Tallyboard
maya@tallyboard.io
"""

SUBJECT = {"fr": "Atelier Morel : facture F-2026-0142", "en": "Harbour Design: invoice INV-2026-0311"}
SAAS_SUBJECT = {
    "fr": "Notio : votre paiement n'a pas abouti",
    "en": "Tallyboard: your payment didn't go through",
}


def body(language: str, extra: str = "", saas: bool = False) -> str:
    template = {("fr", False): GOOD_FR, ("en", False): GOOD_EN, ("fr", True): GOOD_SAAS_FR}.get(
        (language, saas), GOOD_SAAS_EN
    )
    return template.format(extra=extra)


def run(stage: str, language: str, extra: str = "", subject: str | None = None, **kwargs: Any) -> LintReport:
    saas = stage not in ("pre_due", "first", "second", "final", "payment_plan")
    default_subject = (SAAS_SUBJECT if saas else SUBJECT)[language]
    inp = LintInput(
        stage=stage,
        language=language,
        subject=default_subject if subject is None else subject,
        body=kwargs.pop("body", None) or body(language, extra, saas),
        **kwargs,
    )
    return lint(inp)


def fired(report: LintReport) -> set[str]:
    return {f.rule for f in report.findings if f.severity in (ERROR, WARNING)}


def only(report: LintReport, rule: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule]


def one(report: LintReport, rule: str) -> Finding:
    found = only(report, rule)
    assert len(found) == 1, f"expected one {rule}, got {report.findings}"
    return found[0]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("stage", ["first", "second"])
def test_reference_b2b_messages_are_clean(stage: str, language: str) -> None:
    assert fired(run(stage, language)) == set()


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("stage", ["payment_failed_1", "payment_failed_2"])
def test_reference_saas_messages_are_clean(stage: str, language: str) -> None:
    assert fired(run(stage, language)) == set()
