"""Who writes, and where the buttons go.

- sender.no_reply     error: a From address nobody reads (noreply, no-reply, donotreply, ne-pas-repondre...).
                      Customers with a question or a dispute must be able to answer (seed 000). Warning
                      when a Reply-To that a person reads is set.
- sender.impersonal   info: no person's name in the From (a first and last name raises open rates).
- cta.unknown_link    error: a call-to-action points at a link variable that does not exist (checked when
                      the known link variables are given).
- cta.vague_label     warning: a button that says "click here" instead of what it does.
Their findings point at the subject line's start: the sender and the buttons have no place in the body.
"""

from __future__ import annotations

import re

from relance.engine.lint.findings import header, quote, t
from relance.engine.lint.model import ERROR, INFO, SAAS_STAGES, WARNING, Finding, LintInput
from relance.engine.lint.normalise import fold, wordset

_NO_REPLY = re.compile(
    r"no-?reply|do-?not-?reply|ne-?pas-?repondre|nepasrepondre|ne-?repondez-?pas|noreponse|no-?response"
)
_ADDRESS = re.compile(r"<([^>]+)>")
_IMPERSONAL = wordset(
    "service comptabilite compta facturation billing accounts account team equipe support finance "
    "recouvrement invoices factures contact info admin noreply notifications paiements payments"
)
_VAGUE_LABELS = frozenset(
    [
        "cliquez ici",
        "cliquer ici",
        "ici",
        "lien",
        "ce lien",
        "voir",
        "click here",
        "here",
        "link",
        "this link",
        "see",
    ]
)


def _split(value: str) -> tuple[str, str]:
    """(display name, address) of "Name <address>" or a bare address."""
    m = _ADDRESS.search(value)
    address = (m.group(1) if m else value).strip()
    display = _ADDRESS.sub("", value).strip().strip('"') if m else ""
    return display, address


def _is_no_reply(address: str) -> bool:
    local = fold(address.split("@")[0]).replace("_", "-").replace(".", "-")
    return bool(_NO_REPLY.search(local) or _NO_REPLY.search(local.replace("-", "")))


def check_sender(inp: LintInput) -> list[Finding]:
    """A no-reply From is an error; with a Reply-To that a person reads it is a warning (replies do reach
    someone, but the address still tells the customer not to write)."""
    sender = inp.sender.strip()
    if not sender:
        return []
    display, address = _split(sender)
    lang = inp.language
    if _is_no_reply(address):
        reply_to = _split(inp.reply_to.strip())[1] if inp.reply_to.strip() else ""
        softened = bool(reply_to) and not _is_no_reply(reply_to)
        suggestion = t(
            lang, "Marie Dupont <marie.dupont@votre-entreprise.fr>", "Jane Smith <jane.smith@yourcompany.com>"
        )
        message = t(
            lang,
            f"Expéditeur {quote('fr', address)} : une adresse « ne pas répondre » dissuade le client de "
            "poser une question ou de signaler un litige, et agace"
            + (" (même si les réponses partent vers l'adresse de réponse)." if softened else "."),
            f"Sender {quote('en', address)}: a no-reply address discourages the customer from asking a "
            "question or raising a dispute, and annoys"
            + (" (even though replies go to the Reply-To address)." if softened else "."),
        )
        severity = WARNING if softened else ERROR
        return [header(inp, "sender.no_reply", severity, message, sender, suggestion, "sender")]
    words = re.findall(r"[^\W\d_]+", fold(display))
    if not words or all(w in _IMPERSONAL for w in words):
        message = t(
            lang,
            "L'expéditeur n'est pas une personne : un prénom et un nom inspirent confiance et font ouvrir "
            "davantage le message.",
            "The sender is not a person: a first and last name builds trust and gets the message opened.",
        )
        suggestion = t(lang, "Marie Dupont – Acme <marie@acme.fr>", "Jane Smith at Acme <jane@acme.com>")
        return [header(inp, "sender.impersonal", INFO, message, sender, suggestion, "sender")]
    return []


def check_ctas(inp: LintInput) -> list[Finding]:
    findings: list[Finding] = []
    lang = inp.language
    for label, link in inp.ctas:
        if inp.known_links and link not in inp.known_links:
            known = ", ".join(sorted(inp.known_links))
            message = t(
                lang,
                f"Le bouton {quote('fr', label)} pointe vers le lien {quote('fr', link)}, qui n'existe pas "
                f"(liens connus : {known}).",
                f"The button {quote('en', label)} points at the link {quote('en', link)}, which does not "
                f"exist (known links: {known}).",
            )
            suggestion = _closest(link, inp.known_links)
            findings.append(header(inp, "cta.unknown_link", ERROR, message, label, suggestion, "cta"))
        if fold(label).strip(" .!:") in _VAGUE_LABELS:
            message = t(
                lang,
                f"Libellé de bouton {quote('fr', label)} : dites ce que fait le bouton, avec un verbe "
                "d'action.",
                f"Button label {quote('en', label)}: say what the button does, with an action verb.",
            )
            suggestion = _label_for(link, inp)
            findings.append(header(inp, "cta.vague_label", WARNING, message, label, suggestion, "cta"))
    return findings


def _closest(link: str, known: frozenset[str]) -> str | None:
    for candidate in sorted(known):
        if candidate in link or link in candidate:
            return candidate
    return None


def _label_for(link: str, inp: LintInput) -> str:
    lang = inp.language
    if inp.stage in SAAS_STAGES:
        return t(lang, "Mettre à jour ma carte", "Update my card")
    if "invoice" in link or "pdf" in link or "facture" in link:
        return t(lang, "Télécharger ma facture", "Download my invoice")
    if "contact" in link:
        return t(lang, "Contacter le service client", "Contact customer service")
    return t(lang, "Régler ma facture", "Pay my invoice")
