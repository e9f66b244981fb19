"""Cue phrases and patterns by which the structure rules recognise the parts of a message, per language.

They answer "is there an offer of help?", "is there the 'already paid' line?" and so on; a cue is enough,
the rules do not judge the wording here (the phrase rules do that).
"""

from __future__ import annotations

import re
from functools import cache

from relance.engine.lint.matcher import PhraseSet, phrase_set
from relance.engine.lint.patterns import DATE

CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "help": {
        "fr": (
            "n'hésitez pas",
            "contactez|contacter|joindre|joignable|joignables",
            "à votre disposition",
            "à votre écoute",
            "répondez|répondre|répondant|réponse|écrivez|appelez|appeler",
            "une|toute|vos|des question|questions",
            "difficulté|difficultés|difficile|souci|problème|désaccord|litige",
            "besoin d'aide",
            "aider|aide",
            "parlons|parler|discuter|échanger",
            "trouverons|trouver une solution",
            "dites-moi",
            "dites-le-moi",
            "dites-le-nous",
            "faites-moi signe",
            "je m'en occupe",
            "disponible|disponibles",
            "service client",
        ),
        "en": (
            "contact|contacting",
            "get|getting in touch",
            "reach out",
            "reach me|us",
            "be reached",
            "reply|replying|write|call|talk|discuss",
            "give me|us a call",
            "question|questions",
            "help|assist|assistance|support",
            "happy to",
            "let me|us know",
            "feel free",
            "do not hesitate",
            "don't hesitate",
            "at your disposal",
            "available",
            "difficulty|difficulties|difficult|problem|issue|dispute|disagree",
            "find a solution",
            "sort it out",
            "work it out",
            "take care of it",
            "customer service",
            "need anything",
        ),
    },
    "already_paid": {
        "fr": (
            "déjà réglé|payé|effectué|fait|parti|programmé|envoyé|procédé|viré|mis",
            "ne pas tenir compte",
            "ne tenez pas compte",
            "ignorer|ignorez * message|courriel|mail|rappel|email",
            "ignorer|ignorez simplement",
        ),
        "en": (
            "already paid|settled|made|sent|gone|on|been|done|updated|changed|scheduled",
            "disregard",
            "ignore * message|email|mail|note|reminder",
            "ignore it",
            "crossed in the post",
        ),
    },
    "consequences": {  # B2B final: what happens next
        "fr": (
            "recouvrement",
            "contentieux",
            "procédure|procédures",
            "poursuites",
            "huissier",
            "commissaire de justice",
            "injonction",
            "mise en demeure",
            "tribunal",
            "frais supplémentaires",
            "mesures",
            "suspendre|suspendrons|suspension|cesser|bloquer",
            "transmis|transmettrons|transmettre|confié|confier|confierons",
            "voie judiciaire",
            "avocat",
        ),
        "en": (
            "collection|collections|collector|recovery",
            "legal|court|solicitor|lawyer|attorney|proceedings",
            "further action|steps|measures",
            "additional costs|fees|charges",
            "suspend|suspension|stop|halt|block",
            "refer|referred|pass|passed|hand|handed|entrust|transfer",
            "agency|partner|specialist",
        ),
    },
    "loss": {  # SaaS final warning: what the customer will lose
        "fr": (
            "perdre|perdrez|perte",
            "accès",
            "désactivé|désactivation|désactiver",
            "supprimé|suppression|supprimer|supprimées|supprimés",
            "fermé|fermeture|fermer",
            "résilié|résiliation",
            "suspendu|suspension|pause",
            "ne pourrez plus",
            "plus accès",
            "données|historique|documents|projets|fichiers",
        ),
        "en": (
            "lose|losing|loss",
            "access",
            "deactivated|deactivation|deactivate",
            "deleted|deletion|delete",
            "closed|closure|close",
            "cancelled|canceled|cancellation",
            "suspended|suspension|paused",
            "no longer",
            "won't be able",
            "will not be able",
            "data|history|files|projects|documents",
        ),
    },
    "legal_penalties": {
        "fr": ("pénalités|pénalité", "intérêts de retard", "intérêts moratoires", "taux d'intérêt"),
        "en": ("penalty|penalties", "late payment interest", "statutory interest", "interest"),
    },
    "legal_indemnity": {
        "fr": ("indemnité forfaitaire", "indemnité de recouvrement", "indemnité"),
        "en": ("fixed compensation", "recovery costs", "compensation", "fixed sum"),
    },
    "plan": {
        "fr": (
            "échéancier",
            "mensualité|mensualités",
            "versement|versements",
            "plusieurs fois",
            "deux|trois|quatre|cinq|six fois",
            "plan de paiement|règlement",
            "fractionner|fractionnement|étaler|étalement|échelonner|échelonné|échelonnement",
        ),
        "en": (
            "payment plan",
            "instalment|instalments|installment|installments",
            "monthly|weekly payments",
            "payment schedule",
            "spread|split",
        ),
    },
    "alternative": {
        "fr": (
            "offre|formule gratuite|découverte|inférieure|allégée",
            "gratuit|gratuite|gratuitement",
            "pause",
            "remise|réduction",
            "passer à",
            "rétrograder",
        ),
        "en": (
            "free plan|tier|version",
            "free",
            "pause",
            "discount",
            "off",
            "downgrade",
            "cheaper|smaller|lower|lighter plan",
            "switch|move to",
        ),
    },
}


# Phrases that contain a cue word without being that cue: the law's "frais de recouvrement" (recovery
# costs) names an indemnity, not a collection measure the creditor announces.
SHIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "consequences": {
        "fr": (
            "frais de recouvrement",
            "indemnité de recouvrement",
            "indemnité forfaitaire pour frais de recouvrement",
        ),
        "en": ("recovery costs", "costs of recovery", "compensation for recovery costs"),
    },
}


@cache
def cues(kind: str, language: str) -> PhraseSet[str]:
    phrases = phrase_set(CUES[kind][language], language)
    for pattern in SHIELDS.get(kind, {}).get(language, ()):
        phrases.add(pattern, pattern, shield=True)
    return phrases


_D = DATE.pattern
# Due-date words, searched on folded text in the same line as a date.
DUE_WORDS = re.compile(
    r"\b(?:echeance|echu|echue|exigible|payable|a regler|date limite|au plus tard|due|du le|deadline"
    r"|fall due|falls due|fell due|expire|expires)\b"
)
# A deadline: a cue before a date, or a number of days. Searched on folded text.
DEADLINE = re.compile(
    rf"(?:avant|au plus tard|d'ici|d ici|jusqu'au|jusqu au|by|before|no later than|until|on or before)"
    rf"\s+(?:le\s+|au\s+|the\s+)?(?:{_D}|\[[^\]\n]*\])"
    r"|(?:dans un delai de|dans les|sous|d'ici|d ici|dans|within|in|in the next|over the next)\s+"
    r"(?:\d+|\[[^\]\n]*\]|un|une|deux|trois|quatre|cinq|six|sept|huit|dix|quinze|trente|one|two|three|four"
    r"|five|six|seven|eight|ten|fourteen|fifteen|thirty)\s+(?:jours?|semaines?|heures?|(?:business |working "
    r"|calendar )?days?|weeks?|hours?)"
    r"|sous (?:huitaine|quinzaine|48 ?h|72 ?h)|by the end of (?:the|this|next) (?:week|month)",
    re.I,
)
FORTY_EUROS = re.compile(
    r"\b40(?:[ \u00a0\u202f]|,00)?[ \u00a0\u202f]?(?:€|eur\b|euros?\b)|(?:€|eur)[ \u00a0]?40\b", re.I
)
