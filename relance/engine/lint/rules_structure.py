"""Body structure: the parts a reminder needs, checked on the text the customer reads (rendered body when
given, else the source, where template variables stand in for the values they will hold).

Which part is required where, and how badly (E error, W warning, I info, - not checked):

    part                          pre_due first second final plan | card pf1 pf2 pf3 final_w altern.
    structure.greeting               W     W     W     W    W   |  W    W   W   W     W      W
      (present but generic: "Madame, Monsieur", "Dear customer" -> info)
    structure.invoice_number         W     W     W     W    W   |  -    -   -   -     -      -
    structure.amount                 W     W     W     W    W   |  -    -   -   -     -      -
    structure.due_date               W     W     W     W    -   |  -    -   -   -     -      -
    structure.payment_link           W     W     W     W    I   |  -    -   -   -     -      -
      (no link but bank details -> info)
    structure.update_link            -     -     -     -    -   |  W    W   W   W     W      -
    structure.help_offer             I     W     W     W    W   |  W    W   W   W     W      W
    structure.already_paid           I     W     W     W    -   |  -    -   I   I     -      -
    structure.signature              W     W     W     W    W   |  W    W   W   W     W      W
      (B2B: a name and contact details, e-mail or phone; SaaS: a sign-off with a name)
    structure.consequences           -     -     -     E    -   |  -    -   -   -     E      -
      (B2B: what happens next; SaaS: what the customer will lose)
    structure.deadline               -     -     -     E    -   |  -    -   -   W     E      -
      (B2B: a date or a number of days to pay; SaaS: the date access stops)
    structure.legal_mentions         -     -     -   W(FR)  -   |  -    -   -   -     -      -
      (late-payment penalties AND the EUR 40 recovery indemnity, when the creditor is French)
    structure.plan_offer             -     -     -     -    W   |  -    -   -   -     -      -
    structure.alternative            -     -     -     -    -   |  -    -   -   -     -      W

Missing parts have no place in the text: their findings point at the first line of the body.
"""

from __future__ import annotations

import re

from relance.engine.lint.cues import DEADLINE, DUE_WORDS, FORTY_EUROS, cues
from relance.engine.lint.findings import missing
from relance.engine.lint.layout import greeting, signature
from relance.engine.lint.model import ERROR, INFO, SAAS_STAGES, WARNING, Finding, LintInput
from relance.engine.lint.normalise import Text, fold
from relance.engine.lint.patterns import (
    BANK_DETAILS,
    DATE,
    EMAIL,
    INVOICE_REF,
    MONEY,
    PHONE,
    URL,
    placeholders,
)
from relance.engine.lint.structure_messages import MESSAGES

_JINJA_EXPR = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_STRING_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")

_B2B_REQUIRED: dict[str, dict[str, str]] = {
    "greeting": dict.fromkeys(("pre_due", "first", "second", "final", "payment_plan"), WARNING),
    "invoice_number": dict.fromkeys(("pre_due", "first", "second", "final", "payment_plan"), WARNING),
    "amount": dict.fromkeys(("pre_due", "first", "second", "final", "payment_plan"), WARNING),
    "due_date": dict.fromkeys(("pre_due", "first", "second", "final"), WARNING),
    "payment_link": {**dict.fromkeys(("pre_due", "first", "second", "final"), WARNING), "payment_plan": INFO},
    "help_offer": {"pre_due": INFO, **dict.fromkeys(("first", "second", "final", "payment_plan"), WARNING)},
    "already_paid": {"pre_due": INFO, **dict.fromkeys(("first", "second", "final"), WARNING)},
    "signature": dict.fromkeys(("pre_due", "first", "second", "final", "payment_plan"), WARNING),
}
_SAAS_REQUIRED: dict[str, dict[str, str]] = {
    "greeting": dict.fromkeys(SAAS_STAGES, WARNING),
    "update_link": dict.fromkeys(SAAS_STAGES[:-1], WARNING),
    "help_offer": dict.fromkeys(SAAS_STAGES, WARNING),
    "already_paid": dict.fromkeys(("payment_failed_2", "payment_failed_3"), INFO),
    "signature": dict.fromkeys(SAAS_STAGES, WARNING),
}


class Body:
    """The text the structure rules read, with what they need precomputed."""

    def __init__(self, inp: LintInput, source: Text | None = None) -> None:
        self.inp = inp
        self.raw = inp.rendered_body if inp.rendered_body is not None else inp.body
        # The source's Text is reused when the body is not rendered (same words, same tokens).
        self.text = (
            source if source is not None and inp.rendered_body is None else Text(self.raw, inp.language)
        )
        self.prose = self.text.masked  # URLs, e-mails, IBANs, template tags blanked
        self.folded = fold(self.prose)
        self.template = inp.rendered_body is None and ("{{" in inp.body or "{%" in inp.body)
        self.variables = _variables(inp.body) if self.template else frozenset()
        self.placeholders = placeholders(self.raw)

    def variable(self, *needles: str) -> bool:
        return any(needle in name for name in self.variables for needle in needles)

    def placeholder(self, *needles: str) -> bool:
        return any(needle in p for p in self.placeholders for needle in needles)

    def has_cue(self, kind: str) -> bool:
        return cues(kind, self.inp.language).any_in(self.text.tokens)

    def has_fact(self, values: tuple[str, ...]) -> bool:
        compact = _SPACES.sub("", self.raw).casefold()
        return any(_SPACES.sub("", v).casefold() in compact for v in values if v.strip())

    def has_link(self) -> bool:
        return bool(
            URL.search(self.raw)
            or self.inp.ctas
            or self.has_fact(self.inp.facts.link_urls)
            or self.variable("url", "link", "buttons")
            or self.placeholder("lien", "link", "url")
        )


def check_structure(inp: LintInput, source: Text | None = None) -> list[Finding]:
    body = Body(inp, source)
    required = _SAAS_REQUIRED if inp.stage in SAAS_STAGES else _B2B_REQUIRED
    findings: list[Finding] = []
    for part, stages in required.items():
        severity = stages.get(inp.stage)
        if severity is not None:
            findings.extend(_PARTS[part](body, severity))
    findings.extend(_stage_specific(body))
    return findings


def _report(body: Body, key: str, severity: str) -> list[Finding]:
    message, suggestion = MESSAGES[key][body.inp.language]
    return [missing(body.inp, f"structure.{key.split(':')[0]}", severity, message, suggestion)]


def _greeting(body: Body, severity: str) -> list[Finding]:
    found = greeting(body.raw)
    if found is None:
        return _report(body, "greeting", severity)
    if not found[1] and not (body.inp.facts.names and body.has_fact(body.inp.facts.names)):
        return _report(body, "greeting:generic", INFO)
    return []


def _invoice_number(body: Body, severity: str) -> list[Finding]:
    facts = body.inp.facts.invoice_numbers
    if (
        (body.has_fact(facts) if facts else INVOICE_REF.search(body.prose))
        or body.variable("number", "numero", "reference")
        or body.placeholder("num", "number", "réf", "ref")
    ):
        return []
    return _report(body, "invoice_number", severity)


def _amount(body: Body, severity: str) -> list[Finding]:
    facts = body.inp.facts.amounts
    if (
        (body.has_fact(facts) if facts else MONEY.search(body.prose))
        or body.variable("amount", "outstanding", "total", "money")
        or body.placeholder("montant", "amount", "somme")
    ):
        return []
    return _report(body, "amount", severity)


def _due_date(body: Body, severity: str) -> list[Finding]:
    if body.inp.facts.due_dates:
        return [] if body.has_fact(body.inp.facts.due_dates) else _report(body, "due_date", severity)
    if body.variable("due_date", "due", "deadline", "echeance"):
        return []
    for line in body.folded.split("\n"):
        if DUE_WORDS.search(line) and (DATE.search(line) or "[date" in line):
            return []
        if DEADLINE.search(line) and DATE.search(line):  # "à régler avant le 2 avril", "pay by 3 May"
            return []
    return _report(body, "due_date", severity)


def _payment_link(body: Body, severity: str) -> list[Finding]:
    if body.has_link():
        return []
    if BANK_DETAILS.search(body.prose):
        return _report(body, "payment_link:bank_only", INFO)
    return _report(body, "payment_link", severity)


def _update_link(body: Body, severity: str) -> list[Finding]:
    return [] if body.has_link() else _report(body, "update_link", severity)


def _help_offer(body: Body, severity: str) -> list[Finding]:
    return [] if body.has_cue("help") else _report(body, "help_offer", severity)


def _already_paid(body: Body, severity: str) -> list[Finding]:
    return [] if body.has_cue("already_paid") else _report(body, "already_paid", severity)


def _signature(body: Body, severity: str) -> list[Finding]:
    if body.variable("sender", "signature"):
        return []
    block = signature(body.raw)
    if block is None or not block.lines:
        return _report(body, "signature", severity)
    if body.inp.stage in SAAS_STAGES:
        return []
    if not any(EMAIL.search(line) or PHONE.search(line) for line in block.lines):
        return _report(body, "signature:contact", severity)
    return []


_PARTS = {
    "greeting": _greeting,
    "invoice_number": _invoice_number,
    "amount": _amount,
    "due_date": _due_date,
    "payment_link": _payment_link,
    "update_link": _update_link,
    "help_offer": _help_offer,
    "already_paid": _already_paid,
    "signature": _signature,
}


def _stage_specific(body: Body) -> list[Finding]:
    inp = body.inp
    findings: list[Finding] = []
    if inp.stage == "final":
        if not _consequences(body):
            findings += _report(body, "consequences", ERROR)
        if not _deadline(body):
            findings += _report(body, "deadline", ERROR)
        if inp.country.upper() == "FR":
            findings += _legal_mentions(body)
    elif inp.stage == "final_warning":
        if not body.has_cue("loss"):
            findings += _report(body, "consequences:loss", ERROR)
        if not _deadline(body):
            findings += _report(body, "deadline:access", ERROR)
    elif inp.stage == "payment_failed_3" and not _deadline(body):
        findings += _report(body, "deadline:access", WARNING)
    elif inp.stage == "payment_plan" and not body.has_cue("plan"):
        findings += _report(body, "plan_offer", WARNING)
    elif inp.stage == "alternative" and not body.has_cue("alternative"):
        findings += _report(body, "alternative", WARNING)
    return findings


def _consequences(body: Body) -> bool:
    return body.has_cue("consequences") or body.variable("consequence")


def _deadline(body: Body) -> bool:
    return bool(DEADLINE.search(body.folded)) or body.variable("deadline", "access_end", "cutoff")


def _legal_mentions(body: Body) -> list[Finding]:
    penalties = body.has_cue("legal_penalties")
    indemnity = body.has_cue("legal_indemnity") or bool(FORTY_EUROS.search(body.prose))
    if body.variable("country", "legal"):
        return []
    if not penalties and not indemnity:
        return _report(body, "legal_mentions", WARNING)
    if not penalties:
        return _report(body, "legal_mentions:penalties", WARNING)
    if not indemnity:
        return _report(body, "legal_mentions:indemnity", WARNING)
    return []


def _variables(source: str) -> frozenset[str]:
    names: set[str] = set()
    for m in _JINJA_EXPR.finditer(source):
        expression = _STRING_LITERAL.sub(" ", m.group(1) or m.group(2) or "")
        names.update(name.casefold() for name in _IDENTIFIER.findall(expression))
    return frozenset(names)
