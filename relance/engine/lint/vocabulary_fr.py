"""French vocabulary: words to avoid and to prefer at each stage, accusatory, hostile, threatening and
alarmist wording. Built from the stage table and the word lists of the B2B wording article (seed 002) and
the subscription dunning practices (seed 000); wording of explanations and suggestions is our own.

Judgement calls (documented here because they decide false alarms):
- "relance" is on the article's list of negative words: flagged everywhere (subject and body), "rappel"
  is the neutral word. The verb ("nous vous relançons") gets its own, better suggestion.
- "oubli" is fine before the due date (the article's own pre-due advice is to help the customer avoid
  oversights) and in "oubli de notre part"; from the first reminder on it implies the customer forgot
  (warning), and "vous avez oublié" / "votre oubli" are accusatory (error) at every stage.
- "retard": negative before the final stage; "sans retard", "tout retard", "aucun retard" are turns of
  phrase that blame no one and are shielded; at the final stage "retard" is factual (and "pénalités de
  retard" is a required legal mention), so it is not flagged there.
- "impayé": warning at every stage but the final ones, where the firm tone allows it (info).
- "somme": the article prefers "montant"; "nous sommes" and "en somme" are shielded.
- "poursuites" alone is not matched ("la poursuite de notre collaboration" is friendly): only the legal
  phrases ("poursuites judiciaires", "engager des poursuites").
- Collection and legal-procedure words (contentieux, mise en demeure, huissier, recouvrement...) are
  errors before the final stage, where the article lists them as the vocabulary to use. For a
  subscription they stay unusual even at the last warning (warning).
- Legal mentions (L441-10, pénalités de retard, indemnité forfaitaire) belong to the final stage: a
  warning earlier.
- "conséquences" is preferred vocabulary at the second reminder (the article's table); it is flagged only
  at the friendly stages. Explicit threats (conditionals, "nous serons contraints", suspensions) are
  errors before the final stage; in a subscription series, losing access is the expected message from
  the second failed payment on (seed 000: remind them what they will lose), so only early stages warn.
- "dès que possible" is the article's own first-reminder wording: not flagged. "Immédiatement", "sans
  délai" press too hard at the friendly stages; "urgent" is alarmist everywhere, an error in a subject.
"""

from __future__ import annotations

from relance.engine.lint.model import ERROR
from relance.engine.lint.vocabulary import (
    ACCUSATORY,
    ALL,
    AVOID,
    B2B_BEFORE_FINAL,
    B2B_EARLY,
    COLLECTION,
    FINAL_STAGES,
    HOSTILE,
    LEGAL,
    NOT_FINAL,
    SAAS,
    SAAS_BEFORE_FINAL,
    SAAS_EARLY,
    THREAT,
    URGENCY,
    Entry,
    levels,
    shield,
)

_COLLECTION_LEVELS = levels(error=B2B_BEFORE_FINAL + SAAS_BEFORE_FINAL, warning=("final_warning",))
_COLLECTION_WHY = "vocabulaire de recouvrement ou de procédure, prématuré avant le dernier rappel"
_COLLECTION_SUGGESTION = "Retirez cette mention : à ce stade, proposez plutôt votre aide ou un échéancier."
_LEGAL_LEVELS = levels(warning=B2B_BEFORE_FINAL + SAAS)
_LEGAL_WHY = "mention juridique qui durcit le ton trop tôt ; elle a sa place dans le dernier rappel"
_LEGAL_SUGGESTION = "Gardez les mentions légales pour le dernier rappel ; ici, un rappel factuel suffit."
_THREAT_LEVELS = levels(error=B2B_BEFORE_FINAL, warning=SAAS_EARLY)
_THREAT_WHY = "menace avant le dernier rappel : le client se braque au lieu de payer"
_THREAT_SUGGESTION = "Retirez la menace ; proposez plutôt votre aide (question, litige, échéancier)."
_SUSPEND_WHY = (
    "annonce une coupure trop tôt dans la série : au premier message, l'échec est souvent involontaire"
)
_SUSPEND_SUGGESTION = "pour que votre service continue sans interruption"
_ACCUSE = levels(error=ALL)
_HOSTILE_WHY = "jugement ou émotion qui n'a pas sa place dans un message professionnel, même ferme"

ENTRIES: list[Entry] = [
    # Shields: harmless phrases containing a flagged word.
    *shield("nous * =sommes", "=sommes nous", "en somme", "somme toute"),
    *shield("sans retard", "tout retard", "aucun retard", "retard de livraison", "retard dans la livraison"),
    *shield("notre retard", "retard de notre part", "erreur de saisie", "saisie de votre commande"),
    *shield("éviter les oublis", "éviter tout oubli", "éviter un oubli", "oubli de notre part"),
    *shield("oubli de notre côté", "oubli de notre service", "sans pression", "aucune pression"),
    *shield("poursuite de notre collaboration", "poursuite de nos échanges"),
    *shield("vous devez peut-être", "si vous devez"),
    # ----------------------------------------------------------------- negative words (seed 002 lists)
    Entry(
        "impayé",
        AVOID,
        levels(warning=NOT_FINAL, info=FINAL_STAGES),
        "mot négatif qui sonne comme un reproche ; décrivez la situation de façon neutre",
        "non réglée à ce jour",
        saas_suggestion="paiement non abouti",
    ),
    Entry(
        "en retard",
        AVOID,
        levels(warning=NOT_FINAL),
        "insiste sur la faute plutôt que sur la solution",
        "arrivée à échéance",
        saas_suggestion="paiement non abouti",
    ),
    Entry(
        "retard de paiement",
        AVOID,
        levels(warning=NOT_FINAL),
        "expression négative ; un constat neutre est mieux reçu",
        "règlement pas encore reçu",
        saas_suggestion="paiement non abouti",
        extra=("retard de règlement",),
    ),
    Entry(
        "retard",
        AVOID,
        levels(warning=NOT_FINAL),
        "mot négatif qui pointe une faute ; préférez un constat factuel",
        "date d'échéance dépassée",
        saas_suggestion="paiement non abouti",
    ),
    Entry(
        "nous vous relançons",
        AVOID,
        levels(warning=ALL),
        "« relancer » est sur la liste des mots à éviter : il rappelle au client qu'il est poursuivi",
        "nous revenons vers vous",
        extra=("vous relancer", "nous relançons"),
    ),
    Entry(
        "relance",
        AVOID,
        levels(warning=ALL),
        "mot à éviter dans le message : il rappelle au client qu'il est poursuivi",
        "rappel",
    ),
    Entry("somme", AVOID, levels(warning=ALL), "terme sec ; « montant » est plus neutre", "montant"),
    Entry(
        "délai * dépassé",
        AVOID,
        levels(warning=NOT_FINAL),
        "formulation négative ; parlez de la date limite de règlement",
        "date limite de règlement passée",
        extra=("dépassement du délai", "dépassement de délai"),
    ),
    Entry("menace", AVOID, levels(warning=ALL), "mot qui installe un rapport de force", None),
    Entry(
        "=exigence",
        AVOID,
        levels(warning=ALL),
        "ton autoritaire ; une demande courtoise obtient le même résultat",
        "nous vous demandons",
        extra=("nous =exigeons", "=exigeons", "=exiger", "=exigences"),
    ),
    Entry(
        "pression",
        AVOID,
        levels(warning=ALL),
        "l'article classe la pression parmi les tons à proscrire, même au dernier rappel",
        None,
    ),
    Entry(
        "accusation",
        AVOID,
        levels(warning=ALL),
        "vocabulaire accusateur à proscrire",
        None,
    ),
    Entry(
        "oubli",
        AVOID,
        levels(warning=("first", "second", "final", "payment_plan")),
        "suppose que le client a oublié ; le message devient un reproche",
        "sauf erreur de notre part",
    ),
    Entry(
        "échu",
        AVOID,
        levels(warning=("pre_due",)),
        "la facture n'est pas encore échue à ce stade",
        "arrivera à échéance le …",
        extra=("échéance dépassée", "échéance passée"),
    ),
    Entry(
        "créance",
        AVOID,
        levels(warning=NOT_FINAL),
        "jargon de comptable ou de recouvreur ; le client parle de facture",
        "facture",
    ),
    Entry("débiteur", AVOID, levels(warning=ALL), "étiquette le client comme un débiteur", "client"),
    Entry("dette", AVOID, levels(warning=NOT_FINAL), "mot lourd à ce stade", "montant dû"),
    Entry(
        "défaut de paiement",
        AVOID,
        levels(warning=ALL),
        "qualifie le client de défaillant",
        "facture non réglée à ce jour",
        saas_suggestion="paiement non abouti",
    ),
    # ----------------------------------------------------------------- collection and legal procedure
    *[
        Entry(p, COLLECTION, _COLLECTION_LEVELS, _COLLECTION_WHY, _COLLECTION_SUGGESTION)
        for p in (
            "contentieux",
            "mise en demeure",
            "huissier",
            "commissaire de justice",
            "procédure judiciaire",
            "poursuites judiciaires",
            "engager|engagerons|engagerions|entamer|entamerons|intenter|intenterons * poursuites",
            "action en justice",
            "voie judiciaire",
            "voies de droit",
            "tribunal",
            "injonction de payer",
            "recouvrement",
            "recouvrement judiciaire",
            "avocat",
            "saisie conservatoire|attribution",
            "procéder|procéderons à une saisie",
            "vous sommons",
            "sommation",
        )
    ],
    # ----------------------------------------------------------------- legal mentions
    *[
        Entry(p, LEGAL, _LEGAL_LEVELS, _LEGAL_WHY, _LEGAL_SUGGESTION)
        for p in (
            "article L441-10",
            "L441-10",
            "L. 441-10",
            "code de commerce",
            "pénalités de retard",
            "pénalité",
            "intérêts de retard",
            "intérêts moratoires",
            "indemnité forfaitaire",
            "frais de recouvrement",
            "taux d'intérêt légal",
            "majoration",
        )
    ],
    # ----------------------------------------------------------------- threats
    *[
        Entry(p, THREAT, _THREAT_LEVELS, _THREAT_WHY, _THREAT_SUGGESTION)
        for p in (
            "sans quoi",
            "faute de quoi",
            "à défaut de paiement|règlement|réponse",
            "nous serons|serions contraints|obligés|forcés",
            "nous nous verrons|verrions contraints|obligés|forcés",
            "nous serons|serions dans l'obligation",
            "nous n'aurons pas d'autre choix",
            "prendre|prendrons * mesures",
            "mesures seront prises",
            "pénalités|pénalité|frais|intérêts|majorations * seront|sera"
            " appliquées|appliqués|appliquée|facturées|facturés|exigibles|dus",
            "vous vous exposez",
            "dernier avertissement",
            "ultimatum",
            "si vous refusez",
            "transmettrons|transmettre|confierons|confier * dossier",
            "suspendre|suspendrons|cesser|cesserons|bloquer|bloquerons * livraisons|commandes|prestations",
            "conséquences graves",
        )
    ],
    Entry(
        "conséquences",
        THREAT,
        levels(warning=B2B_EARLY + SAAS_EARLY),
        "parler de conséquences est prématuré à ce stade (l'article le réserve au deuxième rappel)",
        None,
    ),
    *[
        Entry(
            p,
            THREAT,
            levels(error=B2B_BEFORE_FINAL, warning=SAAS_EARLY),
            _SUSPEND_WHY,
            _SUSPEND_SUGGESTION,
        )
        for p in (
            "compte|accès|service|services|abonnement * sera|seront|va|vont * suspendu|suspendre|désactivé"
            "|désactiver|fermé|fermer|supprimé|supprimer|résilié|résilier|coupé|couper|bloqué|bloquer",
            "suspendre|suspendrons|désactiver|désactiverons|couper|couperons|bloquer|bloquerons"
            " * compte|accès|service|services|abonnement",
            "suspension de votre compte|accès|service|abonnement",
            "perdrez * accès",
        )
    ],
    # ----------------------------------------------------------------- accusatory wording
    Entry(
        "vous devez",
        ACCUSATORY,
        _ACCUSE,
        "injonction qui met le client en faute",
        "nous vous remercions de …",
        extra=("vous nous devez",),
    ),
    Entry(
        "vous n'avez * pas * payé|réglé|honoré|respecté|effectué|versé|répondu|tenu|viré",
        ACCUSATORY,
        _ACCUSE,
        "accuse le client au lieu de constater",
        "nous n'avons pas encore enregistré votre règlement",
        extra=("vous n'avez toujours pas", "vous ne nous avez * pas payé|réglé|répondu"),
    ),
    Entry(
        "pourquoi n'avez-vous pas",
        ACCUSATORY,
        _ACCUSE,
        "question de reproche",
        "pouvez-vous nous dire si quelque chose bloque le règlement ?",
        extra=("pourquoi ne pas avoir",),
    ),
    Entry(
        "négligence",
        ACCUSATORY,
        _ACCUSE,
        "accuse le client de négligence",
        "sauf erreur de notre part",
        extra=("négligent", "vous avez * négligé"),
    ),
    Entry(
        "vous avez * oublié",
        ACCUSATORY,
        _ACCUSE,
        "suppose que le client a oublié",
        "sauf erreur de notre part",
        extra=("votre oubli", "vous oubliez", "avez-vous oublié"),
    ),
    Entry(
        "votre retard",
        ACCUSATORY,
        _ACCUSE,
        "désigne le client comme fautif",
        "la date d'échéance est passée",
        extra=("vous êtes en retard", "vous êtes toujours en retard"),
    ),
    Entry(
        "vous avez * ignoré",
        ACCUSATORY,
        _ACCUSE,
        "reproche au client de ne pas avoir répondu",
        "nous revenons vers vous",
        extra=("vous ignorez", "vous persistez", "vous ne respectez pas", "sans réponse de votre part"),
    ),
    Entry("mauvais payeur", ACCUSATORY, _ACCUSE, "étiquette insultante", None),
    # ----------------------------------------------------------------- hostile wording
    *[
        Entry(p, HOSTILE, levels(error=ALL), _HOSTILE_WHY, None)
        for p in (
            "inadmissible",
            "inacceptable",
            "scandaleux",
            "honteux",
            "intolérable",
            "irresponsable",
            "malhonnête",
            "mauvaise foi",
            "chantage",
            "intimidation",
            "colère",
            "déçus de votre",
        )
    ],
    # ----------------------------------------------------------------- urgency and pressure
    Entry(
        "urgent",
        URGENCY,
        levels(warning=NOT_FINAL, info=FINAL_STAGES),
        "mot alarmiste : il inquiète et fait classer le message comme publicité ou spam",
        "important",
        subject_severity=ERROR,
        extra=("urgence", "urgemment", "de toute urgence"),
    ),
    Entry(
        "immédiatement",
        URGENCY,
        levels(warning=B2B_EARLY + SAAS_EARLY),
        "presse le client à un stade où un rappel courtois suffit",
        "dès que possible",
        extra=("sans délai", "dès réception", "sur-le-champ", "sans tarder", "sans plus tarder"),
    ),
    Entry(
        "au plus vite",
        URGENCY,
        levels(warning=("pre_due", "payment_plan", "card_expiring")),
        "ton pressant alors que rien n'est encore en retard",
        "à votre convenance",
        extra=("dans les plus brefs délais", "le plus rapidement possible"),
    ),
    Entry(
        "dernier délai",
        URGENCY,
        levels(warning=NOT_FINAL),
        "formule de dernier rappel employée trop tôt",
        "date limite de règlement",
    ),
]
