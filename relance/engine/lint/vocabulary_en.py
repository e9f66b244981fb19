"""English vocabulary: the equivalents of the French tables (seed 002's stage table and word lists, seed
000's subscription practices), compiled for English-language reminders; wording is our own.

Judgement calls:
- "reminder" is the neutral word in English (it plays the role of "rappel"); the negative counterpart of
  "relance" is "chasing" ("we are chasing payment"), flagged everywhere, as is the jargon "dunning".
- "overdue" / "past due" are the standard factual words for an invoice after its due date: fine from the
  first reminder on, wrong before the due date (pre_due) and blaming in a subscription series, where a
  failed card payment is usually involuntary.
- "late" is negative before the final stage ("late payment" -> "payment not yet received"); "later",
  "latest" and "no later than" are different words for the stemmer and never match. At the final stage
  "late payment interest" is a legal mention, not a tone problem.
- "unpaid": warning, info at the final stages (as "impayé" in French).
- "default" alone is not matched ("default payment method" is everyday SaaS wording): only "in default",
  "defaulted", "payment default".
- "court" is a collection word; "courtesy" is another token and never matches.
- "consequences" is preferred at the second reminder, flagged only at the friendly stages; explicit
  threats ("otherwise", "failing which", "we will be forced to", suspensions) are errors before the final
  stage; for subscriptions, losing access is the expected message from the second failed payment on.
- "as soon as possible" / "as soon as you can" are courteous enough after the due date; "immediately",
  "without delay" press too hard at the friendly stages; "urgent" is alarmist everywhere.
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
_COLLECTION_WHY = "collection or legal-proceedings language, premature before the final reminder"
_COLLECTION_SUGGESTION = "Remove it: at this stage, offer help or a payment plan instead."
_LEGAL_LEVELS = levels(warning=B2B_BEFORE_FINAL + SAAS)
_LEGAL_WHY = "a legal mention hardens the tone too early; it belongs in the final reminder"
_LEGAL_SUGGESTION = "Keep legal mentions for the final reminder; a factual reminder is enough here."
_THREAT_LEVELS = levels(error=B2B_BEFORE_FINAL, warning=SAAS_EARLY)
_THREAT_WHY = "a threat before the final reminder makes the customer defensive instead of paying"
_THREAT_SUGGESTION = "Drop the threat; offer help instead (a question, a dispute, a payment plan)."
_SUSPEND_WHY = "announces a cut-off too early in the series: a first failed payment is usually an accident"
_SUSPEND_SUGGESTION = "so that your service continues without interruption"
_ACCUSE = levels(error=ALL)
_HOSTILE_WHY = "a judgement or an emotion has no place in a business message, however firm"
_PRE_DUE_AND_SAAS = ("pre_due", *SAAS)

ENTRIES: list[Entry] = [
    # Shields: harmless phrases containing a flagged word.
    *shield("in sum", "sum up", "to sum", "lump sum", "no pressure", "if you must"),
    *shield("in late", "late last", "late next", "late delivery", "our late", "delivered late"),
    *shield("avoid any oversight", "oversight on our part", "oversight on our side", "oversight on our end"),
    # ----------------------------------------------------------------- negative words
    Entry(
        "unpaid",
        AVOID,
        levels(warning=NOT_FINAL, info=FINAL_STAGES),
        "a negative word that reads as a reproach; describe the situation neutrally",
        "not yet settled",
        saas_suggestion="your payment didn't go through",
        extra=("non-payment", "nonpayment"),
    ),
    Entry(
        "late payment",
        AVOID,
        levels(warning=NOT_FINAL),
        "stresses a fault rather than the solution",
        "payment not yet received",
        saas_suggestion="a payment that didn't go through",
        extra=("paid late", "paying late", "pay late"),
    ),
    Entry(
        "late",
        AVOID,
        levels(warning=NOT_FINAL),
        "a negative word that points at a fault; state the facts instead",
        "past its due date",
        saas_suggestion="didn't go through",
    ),
    Entry(
        "overdue",
        AVOID,
        levels(warning=_PRE_DUE_AND_SAAS),
        "wrong before the due date, and blaming when a card payment simply failed",
        "due on …",
        saas_suggestion="your payment didn't go through",
        extra=("past due", "past-due"),
    ),
    Entry(
        "chase",
        AVOID,
        levels(warning=ALL),
        "tells the customer they are being hunted down",
        "follow up on",
        extra=("chaser",),
    ),
    Entry(
        "dunning", AVOID, levels(warning=ALL), "internal jargon the customer should never read", "reminder"
    ),
    Entry("sum", AVOID, levels(warning=ALL), 'a curt word; "amount" is more neutral', "amount"),
    Entry(
        "deadline * passed",
        AVOID,
        levels(warning=NOT_FINAL),
        "negative wording; refer to the payment date instead",
        "the payment date was …",
        extra=("missed the deadline", "missed deadline", "past the deadline", "deadline was missed"),
    ),
    Entry("threat", AVOID, levels(warning=ALL), "sets up a power struggle", None, extra=("threaten",)),
    Entry(
        "we demand",
        AVOID,
        levels(warning=ALL),
        "an authoritarian tone; a courteous request gets the same result",
        "we would ask you to",
        extra=("demand for payment", "demand payment", "demand immediate", "demanding"),
    ),
    Entry(
        "pressure", AVOID, levels(warning=ALL), "pressure is a tone to avoid, even at the final stage", None
    ),
    Entry("debt", AVOID, levels(warning=NOT_FINAL), "a heavy word at this stage", "amount due"),
    Entry("debtor", AVOID, levels(warning=ALL), "labels the customer as a debtor", "customer"),
    Entry(
        "delinquent",
        AVOID,
        levels(warning=ALL),
        "labels the customer as a defaulter",
        "past its due date",
        saas_suggestion="your payment didn't go through",
        extra=("delinquency",),
    ),
    Entry(
        "in default",
        AVOID,
        levels(warning=ALL),
        "labels the customer as a defaulter",
        "not yet settled",
        extra=("defaulted", "payment default"),
    ),
    Entry("arrears", AVOID, levels(warning=ALL), "a heavy, old-fashioned word", "outstanding amount"),
    Entry(
        "oversight",
        AVOID,
        levels(warning=("first", "second", "final", "payment_plan")),
        "assumes the customer forgot; the message turns into a reproach",
        "unless we are mistaken",
    ),
    Entry(
        "failure to pay",
        AVOID,
        levels(warning=ALL),
        "frames the situation as the customer's failure",
        "the invoice is not yet settled",
    ),
    # ----------------------------------------------------------------- collection and legal proceedings
    *[
        Entry(p, COLLECTION, _COLLECTION_LEVELS, _COLLECTION_WHY, _COLLECTION_SUGGESTION)
        for p in (
            "debt collector",
            "debt collection",
            "debt recovery",
            "collection agency|agencies|firm|partner|process|proceedings|procedure",
            "collections agency|team|department",
            "to collections",
            "legal action",
            "legal proceedings",
            "legal measures",
            "legal steps",
            "court",
            "small claims",
            "lawsuit",
            "we will sue",
            "bailiff",
            "solicitor",
            "attorney",
            "lawyer",
            "letter before action",
            "formal notice",
            "recovery agency",
        )
    ],
    # ----------------------------------------------------------------- legal mentions
    *[
        Entry(p, LEGAL, _LEGAL_LEVELS, _LEGAL_WHY, _LEGAL_SUGGESTION)
        for p in (
            "late payment interest",
            "late-payment interest",
            "late fee",
            "late charge",
            "late payment penalty|charge|fee|fees|penalties|charges",
            "statutory interest",
            "Late Payment of Commercial Debts",
            "fixed compensation",
            "recovery costs",
            "penalty",
            "article L441-10",
            "L441-10",
            "commercial code",
        )
    ],
    # ----------------------------------------------------------------- threats
    *[
        Entry(p, THREAT, _THREAT_LEVELS, _THREAT_WHY, _THREAT_SUGGESTION)
        for p in (
            "otherwise",
            "failing which",
            "failing payment",
            "failing that",
            "if payment is not received",
            "unless payment",
            "we will be|shall be forced|obliged|compelled",
            "we will have no|little choice|option|alternative",
            "take|taking further|legal|additional|other|appropriate action|measures|steps",
            "further action",
            "fees|fee|interest|penalties|penalty|charges|costs|surcharge will be"
            " charged|applied|added|imposed",
            "you will be liable",
            "final warning",
            "ultimatum",
            "if you refuse",
            "pass|hand|refer|transfer * file|account|matter|case|debt to",
            "suspend|stop|halt|block * deliveries|orders|supplies",
            "serious consequences",
        )
    ],
    Entry(
        "consequences",
        THREAT,
        levels(warning=B2B_EARLY + SAAS_EARLY),
        "talking about consequences is premature here (the seed keeps it for the second reminder)",
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
            "account|access|service|subscription * be|is suspended|closed|deactivated|deleted|cancelled"
            "|canceled|terminated|blocked|revoked|removed",
            "suspend|deactivate|close|cancel|terminate|block|revoke * account|access|service|subscription",
            "lose|losing access",
            "cut off",
        )
    ],
    # ----------------------------------------------------------------- accusatory wording
    Entry(
        "you must",
        ACCUSATORY,
        _ACCUSE,
        "an order that puts the customer in the wrong",
        "we would be grateful if you could …",
        extra=("you owe", "you have to pay"),
    ),
    Entry(
        "you have * not * paid|settled|honoured|honored|responded|replied|made|sent",
        ACCUSATORY,
        _ACCUSE,
        "accuses the customer instead of stating the facts",
        "we have not yet received your payment",
        extra=(
            "you haven't * paid|settled|responded|replied|made|sent",
            "you * haven't * paid|settled|responded|replied",
            "you still haven't",
            "you have still not",
            "you did not pay|settle|respond|reply",
            "you didn't pay|settle|respond|reply",
        ),
    ),
    Entry(
        "you have failed to",
        ACCUSATORY,
        _ACCUSE,
        "frames the situation as the customer's failure",
        "we have not yet received your payment",
        extra=("you failed to", "your failure to", "you keep failing"),
    ),
    Entry(
        "why haven't you",
        ACCUSATORY,
        _ACCUSE,
        "a reproachful question",
        "could you let us know if anything is holding up the payment?",
        extra=("why have you not", "why did you not", "why didn't you"),
    ),
    Entry(
        "negligence",
        ACCUSATORY,
        _ACCUSE,
        "accuses the customer of negligence",
        "unless we are mistaken",
        extra=("negligent", "you neglected", "you have neglected"),
    ),
    Entry(
        "you * forgot",
        ACCUSATORY,
        _ACCUSE,
        "assumes the customer forgot",
        "unless we are mistaken",
        extra=("you have forgotten", "your oversight", "you * forgotten"),
    ),
    Entry(
        "you are late",
        ACCUSATORY,
        _ACCUSE,
        "points at the customer as the one at fault",
        "the due date has passed",
        extra=("you are in default", "you're late", "your late payment"),
    ),
    Entry(
        "you * =ignored",
        ACCUSATORY,
        _ACCUSE,
        "reproaches the customer for not answering",
        "we are following up on our previous message",
        extra=("you keep ignoring", "you refuse to", "you are refusing"),
    ),
    Entry("bad payer", ACCUSATORY, _ACCUSE, "an insulting label", None, extra=("deadbeat",)),
    # ----------------------------------------------------------------- hostile wording
    *[
        Entry(p, HOSTILE, levels(error=ALL), _HOSTILE_WHY, None)
        for p in (
            "unacceptable",
            "outrageous",
            "disgraceful",
            "shameful",
            "intolerable",
            "irresponsible",
            "dishonest",
            "bad faith",
            "blackmail",
            "intimidation",
            "fed up",
            "sick of",
            "angry",
        )
    ],
    # ----------------------------------------------------------------- urgency and pressure
    Entry(
        "urgent",
        URGENCY,
        levels(warning=NOT_FINAL, info=FINAL_STAGES),
        "an alarmist word: it worries the reader and looks like spam",
        "important",
        subject_severity=ERROR,
        extra=("urgently", "urgency", "asap", "as a matter of urgency"),
    ),
    Entry(
        "immediately",
        URGENCY,
        levels(warning=B2B_EARLY + SAAS_EARLY),
        "presses the customer at a stage where a courteous reminder is enough",
        "at your earliest convenience",
        extra=("without delay", "at once", "right away", "straight away", "without further delay"),
    ),
    Entry(
        "as soon as possible",
        URGENCY,
        levels(warning=("pre_due", "payment_plan", "card_expiring")),
        "a pressing tone when nothing is late yet",
        "at your convenience",
    ),
]
