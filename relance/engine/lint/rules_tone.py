"""Alarmist signs that are not words: shouting in capitals and runs of exclamation marks.

- tone.capitals     error in the subject, warning in the body: a run of words in capitals with at least one
                    word of 4+ letters that is not a known acronym (EUR, TVA, SIRET, IBAN, VAT...). Not
                    flagged: Jinja expressions and URLs (masked), codes after BIC/SWIFT, words glued to
                    digits by a hyphen (FACT-2026), names from Facts, runs holding a legal form (ACME SAS,
                    HARBOUR DESIGN LTD) and anything in the signature block.
- tone.exclamation  a run of "!" / "?!" : error with three or more "!" or in the subject, else warning;
                    several separate "!" in a subject: warning. A single "!" ("Merci !") is fine.
"""

from __future__ import annotations

import re

from relance.engine.lint.findings import at_span, quote, t
from relance.engine.lint.layout import signature
from relance.engine.lint.model import ERROR, WARNING, Finding, LintInput
from relance.engine.lint.normalise import Text, Token, fold, wordset

ACRONYMS = wordset(
    "eur usd gbp chf cad aud jpy tva ht ttc vat siret siren iban bic swift rib pdf sepa cb url urls faq cgv "
    "cgu rcs naf ape bce sas sasu sarl eurl sci snc sa ltd llc inc plc llp gmbh ag bv nv spa srl html http "
    "https www api saas crm erp ceo cfo cto daf rgpd gdpr ach bacs chaps visa amex iso utc gmt cet cest bst "
    "est pst sms otp pin nb ps ok re tr fwd usa uk eu ue hmrc irs ein pme tpe eti urssaf insee dgfip ebics "
    "lcr kbis duns po fao attn cc cci bcc tel fax id ref n no xml csv ubl edi ftp sftp dkim spf asap rsvp"
)
_LEGAL_FORMS = wordset("sas sasu sarl eurl sci snc sa ltd llc inc plc llp gmbh ag bv nv spa srl")
_CODE_INTRODUCERS = wordset("bic swift iban rib ref sort")
_EXCLAMATION = re.compile(r"[!?]*![!?]*")


def check_capitals(inp: LintInput, text: Text, part: str) -> list[Finding]:
    names = {fold(word) for name in inp.facts.names for word in re.findall(r"[^\W\d_]+", name)}
    block = signature(text.source) if part == "body" else None
    limit = block.start if block else len(text.source)
    findings = []
    for group in _caps_groups(text):
        if group[0].start >= limit or not _is_shouting(text, group, names):
            continue
        start, end = group[0].start, group[-1].end
        excerpt = text.source[start:end]
        severity = ERROR if part == "subject" else WARNING
        message = t(
            inp.language,
            f"{quote('fr', excerpt)} : des mots en capitales donnent l'impression de crier ; "
            "le message paraît agressif et ressemble à un spam.",
            f"{quote('en', excerpt)}: words in capitals read as shouting; the message looks aggressive "
            "and spammy.",
        )
        findings.append(
            at_span(text, start, end, "tone.capitals", severity, message, excerpt.capitalize(), part)
        )
    return findings


def _caps_groups(text: Text) -> list[list[Token]]:
    """Runs of all-capital words on one line, separated by nothing but spaces and punctuation. A capital
    word right after BIC, SWIFT, IBAN... is a code and breaks the run."""
    groups: list[list[Token]] = []
    current: list[Token] = []
    previous = ""
    for token in text.tokens:
        caps = (
            token.text.isalpha()
            and token.text.isupper()
            and previous not in _CODE_INTRODUCERS
            and not _glued_to_code(text.source, token)
        )
        previous = token.norm
        if caps and current and "\n" not in text.source[current[-1].end : token.start]:
            current.append(token)
            continue
        if current:
            groups.append(current)
        current = [token] if caps else []
    if current:
        groups.append(current)
    return groups


def _is_shouting(text: Text, group: list[Token], names: set[str]) -> bool:
    if any(token.norm in _LEGAL_FORMS for token in group):
        return False
    for token in group:
        if len(token.text) < 4 or token.norm in ACRONYMS or token.norm in names:
            continue
        return True
    return False


def _glued_to_code(source: str, token: Token) -> bool:
    before = source[token.start - 2 : token.start] if token.start >= 2 else ""
    after = source[token.end : token.end + 2]
    return (len(before) == 2 and before[1] in "-_/" and before[0].isalnum()) or (
        len(after) == 2 and after[0] in "-_/" and after[1].isalnum()
    )


def check_exclamations(inp: LintInput, text: Text, part: str) -> list[Finding]:
    findings = []
    runs = list(_EXCLAMATION.finditer(text.masked))
    for run in runs:
        marks = run.group(0)
        if len(marks) < 2:
            continue
        severity = ERROR if marks.count("!") >= 3 or part == "subject" else WARNING
        message = t(
            inp.language,
            f"{quote('fr', marks)} : une rafale de points d'exclamation rend le message alarmiste.",
            f"{quote('en', marks)}: a burst of exclamation marks makes the message alarmist.",
        )
        suggestion = "." if part == "body" else t(inp.language, "(sans ponctuation)", "(no punctuation)")
        findings.append(
            at_span(text, run.start(), run.end(), "tone.exclamation", severity, message, suggestion, part)
        )
    singles = [run for run in runs if len(run.group(0)) == 1 and "!" in run.group(0)]
    if part == "subject" and not findings and len(singles) >= 2:
        first, last = singles[0], singles[-1]
        message = t(
            inp.language,
            "Plusieurs points d'exclamation dans l'objet : il paraît alarmiste.",
            "Several exclamation marks in the subject make it look alarmist.",
        )
        findings.append(
            at_span(text, first.start(), last.end(), "tone.exclamation", WARNING, message, None, part)
        )
    return findings
