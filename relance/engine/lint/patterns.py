"""Regular expressions for the concrete facts a reminder should carry, in French and English text.

Used by the structure and subject rules when Facts are not given (pasted text). They run on the text as
the customer reads it (rendered), with accents kept; each is deliberately tolerant of the usual spacing
variants (normal, non-breaking and narrow non-breaking spaces as thousands separators).
"""

from __future__ import annotations

import re

_SP = r"[ \u00a0\u202f]"
_NUMBER = rf"\d{{1,3}}(?:[{_SP[1:-1]},.']\d{{3}})*(?:[.,]\d{{1,2}})?|\d+(?:[.,]\d{{1,2}})?"
_CURRENCY_AFTER = r"(?:€|EUR|euros?|\$|USD|US\$|£|GBP|CHF|CAD|AUD)(?![A-Za-z])"
_CURRENCY_BEFORE = r"(?:€|EUR|\$|USD|US\$|£|GBP|CHF|CAD|AUD)"
MONEY = re.compile(
    rf"(?<![\w.,])(?:{_CURRENCY_BEFORE}{_SP}?(?:{_NUMBER})|(?:{_NUMBER}){_SP}?{_CURRENCY_AFTER})",
    re.I,
)

_MONTHS_FR = (
    r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre"
    r"|janv\.?|f[ée]vr?\.?|avr\.?|juil\.?|sept\.?|oct\.?|nov\.?|d[ée]c\.?"
)
_MONTHS_EN = (
    r"january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan\.?|feb\.?|mar\.?|apr\.?|jun\.?|jul\.?|aug\.?|sept?\.?|oct\.?|nov\.?|dec\.?"
)
DATE = re.compile(
    rf"\b\d{{1,2}}(?:er|st|nd|rd|th)?{_SP}+(?:{_MONTHS_FR}|{_MONTHS_EN})(?:{_SP}+\d{{4}})?\b"
    rf"|\b(?:{_MONTHS_EN}){_SP}+\d{{1,2}}(?:st|nd|rd|th)?(?:,?{_SP}+\d{{4}})?\b"
    r"|\b\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})\b"
    r"|\b\d{4}-\d{2}-\d{2}\b",
    re.I,
)

# An invoice reference: a keyword then a code with a digit, or a code shaped like one (F-2026-0142, INV-77).
INVOICE_REF = re.compile(
    r"(?:factures?|invoices?|inv\.?|r[ée]f[ée]rences?|r[ée]f\.?|n°|nº|no\.|#)"
    r"[ \u00a0]*(?:n°|nº|no\.?|#|:)?[ \u00a0]*[A-Z0-9][A-Z0-9/_.-]*\d[A-Z0-9/_-]*"
    r"|\b[A-Z]{1,6}[-/]?\d{2,}(?:[-/][A-Z0-9]+)*\b"
    r"|\b\d{4}[-/]\d{2,6}\b",
    re.I,
)

URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]{}\"']+", re.I)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(
    r"(?:\+|00)\d{1,3}[ .\u00a0-]?(?:\(0\))?(?:\(?\d{1,4}\)?[ .\u00a0-]?){2,5}\d{2,4}"  # international
    r"|\b0\d(?:[ .\u00a0-]?\d{2}){4}\b"  # French
    r"|\b0\d{2,4}[ \u00a0]\d{3,4}[ \u00a0]?\d{3,4}\b"  # UK
    r"|\(\d{3}\)[ \u00a0]?\d{3}[ .-]\d{4}\b|\b\d{3}[ .-]\d{3}[ .-]\d{4}\b"  # North America
)
BANK_DETAILS = re.compile(r"\biban\b|\brib\b|\bvirement\b|bank transfer|sort code|\bbacs\b|\bach\b", re.I)

# Bracketed placeholders of hand-written templates: "[Numéro]", "[Montant]", "[Nom du client]".
PLACEHOLDER = re.compile(r"\[[^\]\n]{2,40}\]")


def placeholders(text: str) -> list[str]:
    return [m.group(0)[1:-1].casefold() for m in PLACEHOLDER.finditer(text)]
