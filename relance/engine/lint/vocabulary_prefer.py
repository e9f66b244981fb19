"""Words each stage should use (seed 002's "to prefer" column and its facilitating/key-information lists,
seed 000 for the subscription stages). Missing them all is only ever an info: a good message may say it
otherwise."""

from __future__ import annotations

from relance.engine.lint.vocabulary import Preferred

PREFERRED_FR: list[Preferred] = [
    Preferred(
        ("pre_due",),
        (
            "rappel courtois",
            "rappel amical",
            "petit rappel",
            "vérification",
            "à votre convenance",
            "n'hésitez pas",
            "paiement anticipé",
            "prochainement échue",
            "arrive|arrivera à échéance",
        ),
        "« rappel courtois », « à votre convenance », « n'hésitez pas »",
    ),
    Preferred(
        ("first",),
        ("échéance", "montant dû", "régularisation", "régulariser", "référence", "détail"),
        "« échéance », « montant dû », « référence »",
    ),
    Preferred(
        ("second",),
        ("important", "attention", "paiement requis", "conséquences", "situation", "régulariser"),
        "« important », « paiement requis », « régulariser la situation »",
    ),
    Preferred(
        ("final",),
        (
            "dernier rappel",
            "procédure de recouvrement",
            "frais supplémentaires",
            "contentieux",
            "mesures légales",
            "recouvrement",
        ),
        "« dernier rappel », « procédure de recouvrement », « frais supplémentaires »",
    ),
    Preferred(
        ("payment_plan",),
        ("échéancier", "solution", "plan de paiement", "mensualités", "amiable", "plusieurs fois"),
        "« échéancier », « solution amiable », « mensualités »",
    ),
    Preferred(
        ("card_expiring", "payment_failed_1", "payment_failed_2", "payment_failed_3"),
        ("mettre|mettez à jour", "moyen de paiement", "informations de facturation", "carte"),
        "« mettre à jour votre moyen de paiement »",
    ),
    Preferred(
        ("final_warning",),
        ("dernier rappel", "accès", "désactivé", "perdrez", "dernier avertissement"),
        "« dernier rappel », « vous perdrez l'accès à … »",
    ),
    Preferred(
        ("alternative",),
        ("offre gratuite", "pause", "remise", "formule", "gratuit", "réduction"),
        "« offre gratuite », « mettre en pause », « remise »",
    ),
]


PREFERRED_EN: list[Preferred] = [
    Preferred(
        ("pre_due",),
        (
            "friendly reminder",
            "courtesy reminder",
            "quick reminder",
            "at your convenience",
            "do not hesitate",
            "don't hesitate",
            "feel free",
            "heads-up",
            "falls|fall due",
            "paying early",
            "early payment",
        ),
        '"friendly reminder", "at your convenience", "feel free to get in touch"',
    ),
    Preferred(
        ("first",),
        ("due date", "amount due", "reference", "details", "settle", "outstanding", "fell due"),
        '"due date", "amount due", "reference"',
    ),
    Preferred(
        ("second",),
        ("important", "attention", "payment required", "consequences", "situation", "settle"),
        '"important", "payment required", "settle the situation"',
    ),
    Preferred(
        ("final",),
        (
            "final reminder",
            "final notice",
            "last reminder",
            "collection",
            "additional costs|fees|charges",
            "legal action",
        ),
        '"final reminder", "collection procedure", "additional costs"',
    ),
    Preferred(
        ("payment_plan",),
        ("payment plan", "instalment", "installment", "solution", "schedule", "monthly payments", "amicable"),
        '"payment plan", "instalments", "solution"',
    ),
    Preferred(
        ("card_expiring", "payment_failed_1", "payment_failed_2", "payment_failed_3"),
        ("update", "payment method", "billing details", "card"),
        '"update your payment method"',
    ),
    Preferred(
        ("final_warning",),
        ("last reminder", "final reminder", "access", "deactivated", "lose"),
        '"last reminder", "you will lose access to …"',
    ),
    Preferred(
        ("alternative",),
        ("free plan", "pause", "discount", "downgrade", "off", "cheaper"),
        '"free plan", "pause your subscription", "discount"',
    ),
]
