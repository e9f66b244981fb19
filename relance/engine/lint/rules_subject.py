"""The subject line: present, specific, short, personal, honest.

- subject.missing       error: no subject at all.
- subject.vague         error: nothing but generic words ("Facture", "Paiement", "Rappel de paiement",
                        "Payment reminder"...), no reference and no name.
- subject.too_long      on the rendered subject: > 60 characters error, > 50 warning (mobile clients cut
                        around there). A template subject that is not rendered is not measured (its
                        placeholders have no length yet).
- subject.not_personal  warning: neither the invoice number nor the customer's or company's name (from
                        Facts when given; else a reference-like code, a bracketed placeholder, a template
                        variable, or a capitalised word that is not a common word). Not reported when the
                        subject is already vague (that error says it).
- subject.fake_reply    warning: "RE:" / "TR:" / "Fwd:" on a first message pretends to continue a thread.
"""

from __future__ import annotations

import re

from relance.engine.lint.findings import t, whole
from relance.engine.lint.model import ERROR, WARNING, Finding, LintInput
from relance.engine.lint.normalise import Text, fold, wordset
from relance.engine.lint.patterns import INVOICE_REF, placeholders
from relance.engine.lint.stemming import stem

MAX_LENGTH, COMFORTABLE_LENGTH = 60, 50

_STOP = wordset(
    "le la les l un une de des du d au aux a en et ou pour sur par avec votre vos notre nos ce cette "
    "the a an of for on to in and or your our my this that about regarding concernant re tr fwd fw"
)
_GENERIC = frozenset(
    stem(w, lang)
    for lang in ("fr", "en")
    for w in wordset(
        "facture factures paiement paiements rappel rappels relance relances reglement impaye impayee "
        "urgent important information informations avis dernier derniere petit amical amicale courtois "
        "action requise requis abonnement compte attention notification alerte message suivi echeance "
        "regularisation premier premiere second seconde deuxieme troisieme mise jour retard "
        "invoice invoices payment payments reminder reminders overdue unpaid friendly gentle quick final "
        "last notice due required follow up subscription account update alert outstanding balance "
        "first third late courtesy"
    )
)
# Capitalised words that are not names (folded): subject openers, stage words, months.
_COMMON = wordset(
    "rappel facture factures paiement relance reglement important information dernier derniere petit "
    "votre vos notre nos action avis objet suite point proposition second seconde deuxieme troisieme "
    "premier premiere merci bonjour attention echeance echeancier mise re tr fwd fw urgent impaye "
    "impayee nouvelle nouveau carte abonnement compte solde releve alerte confirmation probleme souci "
    "invoice invoices payment reminder friendly final last notice update your our second third first "
    "quick gentle courtesy thank thanks hello hi dear action required overdue unpaid past due new "
    "important this the a an account statement balance card subscription problem issue alert "
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre "
    "january february march april may june july august september october november december "
    "lundi mardi mercredi jeudi vendredi samedi dimanche "
    "monday tuesday wednesday thursday friday saturday sunday"
)
_FAKE_REPLY = re.compile(r"^\s*(?:re|tr|fwd?|trans)\s*:", re.I)
_JINJA_EXPR = re.compile(r"\{\{(.*?)\}\}", re.S)
_PERSONAL_VARIABLES = re.compile(
    r"number|numero|name|company|customer|client|product|reference|invoice", re.I
)
_STRING_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")


def check_subject(inp: LintInput, source: Text) -> list[Finding]:
    rendered = inp.rendered_subject if inp.rendered_subject is not None else inp.subject
    lang = inp.language
    if not rendered.strip():
        return [
            whole(
                source,
                "subject.missing",
                ERROR,
                t(lang, "L'objet est vide.", "The subject is empty."),
                t(lang, "Rappel : facture [numéro] – [entreprise]", "Reminder: invoice [number] – [company]"),
                "subject",
            )
        ]
    findings: list[Finding] = []
    if _FAKE_REPLY.match(rendered):
        findings.append(
            whole(
                source,
                "subject.fake_reply",
                WARNING,
                t(
                    lang,
                    "« RE: » ou « TR: » fait croire à une conversation en cours : le client s'en aperçoit.",
                    '"RE:" or "Fwd:" pretends to continue a conversation; the customer notices.',
                ),
                _FAKE_REPLY.sub("", rendered).strip(),
                "subject",
            )
        )
    personal = _is_personal(inp, rendered)
    if not personal and _is_vague(rendered, lang):
        findings.append(
            whole(
                source,
                "subject.vague",
                ERROR,
                t(
                    lang,
                    "Objet trop vague : il ne dit ni de quelle facture il s'agit ni qui écrit, et finit "
                    "ignoré.",
                    "The subject is too vague: it says neither which invoice nor who is writing, and gets "
                    "ignored.",
                ),
                t(lang, "Rappel : facture [numéro] – [entreprise]", "Reminder: invoice [number] – [company]"),
                "subject",
            )
        )
    elif not personal:
        findings.append(
            whole(
                source,
                "subject.not_personal",
                WARNING,
                t(
                    lang,
                    "L'objet ne mentionne ni le numéro de facture ni le nom du client ou de l'entreprise ; "
                    "ils aident à l'identifier d'un coup d'œil.",
                    "The subject names neither the invoice number nor the customer or company; both help "
                    "the reader place it at a glance.",
                ),
                t(lang, f"{rendered.strip()} – facture [numéro]", f"{rendered.strip()} – invoice [number]"),
                "subject",
            )
        )
    findings.extend(_length(inp, source, rendered))
    return findings


def _length(inp: LintInput, source: Text, rendered: str) -> list[Finding]:
    if inp.rendered_subject is None and "{{" in inp.subject:
        return []
    length = len(rendered.strip())
    if length <= COMFORTABLE_LENGTH:
        return []
    severity = ERROR if length > MAX_LENGTH else WARNING
    message = t(
        inp.language,
        f"Objet de {length} caractères : au-delà de {COMFORTABLE_LENGTH}, les messageries mobiles le "
        "coupent.",
        f"The subject is {length} characters long: beyond {COMFORTABLE_LENGTH}, mobile mail apps cut it.",
    )
    suggestion = t(
        inp.language,
        "Gardez l'essentiel : l'objet, le numéro de facture et le nom (50 caractères au plus).",
        "Keep the essentials: the purpose, the invoice number and the name (50 characters at most).",
    )
    return [whole(source, "subject.too_long", severity, message, suggestion, "subject")]


def _is_personal(inp: LintInput, rendered: str) -> bool:
    facts = inp.facts
    if facts.invoice_numbers or facts.names:
        folded = fold(rendered)
        return any(fold(value) in folded for value in (*facts.invoice_numbers, *facts.names) if value.strip())
    if inp.rendered_subject is None and _personal_variable(inp.subject):
        return True
    if INVOICE_REF.search(rendered) or placeholders(rendered):
        return True
    return _has_name(_STRING_LITERAL.sub(" ", rendered))


_WORD = re.compile(r"[^\W\d_]+")
_CLAUSE_START = re.compile(r"(?:^|[:–—|(\-]|\s-\s)\s*$")


def _has_name(subject: str) -> bool:
    """A capitalised word that is not a common word. At the start of the subject or of a clause a capital
    is grammar, not a name, unless the word is set off ("Notio : ...", "Camille, ...") or followed by
    another capitalised word ("Harbour Design: ...")."""
    words = list(_WORD.finditer(subject))
    for index, m in enumerate(words):
        if not _is_name(m.group(0)):
            continue
        if not _CLAUSE_START.search(subject[: m.start()]):
            return True
        after = subject[m.end() :].lstrip()
        following = words[index + 1].group(0) if index + 1 < len(words) else ""
        if after[:1] in (":", ",", "–", "-", "|") or (following and _is_name(following)):
            return True
    return False


def _personal_variable(subject: str) -> bool:
    return any(
        _PERSONAL_VARIABLES.search(_STRING_LITERAL.sub("", m.group(1))) for m in _JINJA_EXPR.finditer(subject)
    )


def _is_name(word: str) -> bool:
    if len(word) < 2 or not word[0].isupper():
        return False
    return fold(word) not in _COMMON


def _is_vague(rendered: str, language: str) -> bool:
    if "{{" in rendered or re.search(r"\d", rendered) or placeholders(rendered):
        return False
    words = [fold(w) for w in re.findall(r"[^\W\d_]+", rendered)]
    content = [w for w in words if w not in _STOP]
    return all(stem(w, language) in _GENERIC for w in content)
