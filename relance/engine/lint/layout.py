"""Where the parts of a message are: its greeting line and its signature block."""

from __future__ import annotations

import re
from dataclasses import dataclass

from relance.engine.lint.normalise import fold, wordset

# First words of a greeting (folded).
GREETINGS = (
    "bonjour",
    "bonsoir",
    "salut",
    "cher",
    "chere",
    "chers",
    "cheres",
    "madame",
    "monsieur",
    "mesdames",
    "messieurs",
    "hello",
    "hi",
    "hey",
    "dear",
    "good morning",
    "good afternoon",
    "good evening",
    "greetings",
)
# Greeting words that name nobody: a greeting made only of these is generic.
GENERIC_GREETING_WORDS = wordset(
    "bonjour bonsoir salut cher chere chers cheres madame monsieur mesdames messieurs mme mlle m "
    "client cliente clients clientes partenaire partenaires a tous toutes et ou "
    "hello hi hey dear good morning afternoon evening greetings customer customers client sir madam or "
    "team all there valued friend friends colleague colleagues"
)
# Closing formulas (folded, as the start of a line).
CLOSINGS = (
    "cordialement",
    "bien cordialement",
    "tres cordialement",
    "bien a vous",
    "a bientot",
    "belle journee",
    "bonne journee",
    "bonne fin de journee",
    "bonne soiree",
    "salutations",
    "sinceres salutations",
    "meilleures salutations",
    "bien amicalement",
    "amicalement",
    "au plaisir",
    "merci",
    "merci d'avance",
    "merci encore",
    "avec nos remerciements",
    "veuillez agreer",
    "nous vous prions d'agreer",
    "je vous prie d'agreer",
    "regards",
    "kind regards",
    "best regards",
    "warm regards",
    "warmest regards",
    "many thanks",
    "thanks",
    "thank you",
    "best",
    "all the best",
    "best wishes",
    "sincerely",
    "yours sincerely",
    "yours faithfully",
    "yours truly",
    "cheers",
    "have a good day",
    "have a great day",
    "have a nice day",
    "talk soon",
    "speak soon",
)
_WORD = re.compile(r"[^\W\d_]+")


def _words(line: str) -> list[str]:
    return _WORD.findall(fold(line))


_STATEMENT_LINE = re.compile(r"^\s*(?:\{%.*?%\}|\{#.*?#\}|\s)*$")


def first_line(text: str) -> tuple[int, str] | None:
    """(offset, text) of the first line with something the reader sees (template statements such as
    `{% set inv = invoices[0] %}` are skipped)."""
    offset = 0
    for line in text.split("\n"):
        if line.strip() and not _STATEMENT_LINE.match(line):
            return offset, line
        offset += len(line) + 1
    return None


def greeting(text: str) -> tuple[str, bool] | None:
    """(greeting line, is it personal?) when the first line is a greeting, else None."""
    found = first_line(text)
    if found is None:
        return None
    line = found[1].strip()
    if re.fullmatch(r"\{\{[^}]*greeting[^}]*\}\}[,!]?", line):  # a template's greeting variable
        return line, True
    words = _words(line)
    joined = " ".join(words)
    if not any(joined == g or joined.startswith(g + " ") for g in GREETINGS):
        return None
    if "{{" in line:  # a template's greeting variable: personal by construction
        return line, True
    return line, any(w not in GENERIC_GREETING_WORDS for w in words)


def is_closing(line: str) -> bool:
    words = " ".join(_words(line))
    if not words or len(words.split()) > 8:
        return False
    return any(words == c or words.startswith(c + " ") for c in CLOSINGS)


@dataclass(frozen=True)
class Signature:
    start: int  # offset where the block starts (the closing line, or the sign-off lines)
    lines: tuple[str, ...]  # its non-empty lines after the closing formula
    has_closing: bool


def signature(text: str) -> Signature | None:
    """The signature block: from the last closing formula on; failing that, the last paragraph when it
    looks like a sign-off (at most four short lines without sentence punctuation at the end)."""
    lines = text.split("\n")
    offsets = []
    offset = 0
    for line in lines:
        offsets.append(offset)
        offset += len(line) + 1
    for index in range(len(lines) - 1, -1, -1):
        if is_closing(lines[index]) and _closing_position_ok(lines, index):
            after = tuple(line.strip() for line in lines[index + 1 :] if line.strip())
            return Signature(offsets[index], after, True)
    paragraph: list[int] = []
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip():
            paragraph.insert(0, index)
        elif paragraph:
            break
    if not paragraph or len(paragraph) > 4:
        return None
    block = [lines[i].strip() for i in paragraph]
    if all(len(line.split()) <= 8 and not line.endswith((".", "?", "!", ":")) for line in block):
        return Signature(offsets[paragraph[0]], tuple(block), False)
    return None


def _closing_position_ok(lines: list[str], index: int) -> bool:
    """A closing formula is in the last few non-empty lines (not "Merci de régler..." mid-message)."""
    remaining = [line for line in lines[index + 1 :] if line.strip()]
    line = lines[index].strip()
    return len(remaining) <= 6 and (len(line.split()) <= 5 or line.endswith((",", "!")))
