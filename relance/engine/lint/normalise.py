"""From a piece of source text to tokens that rules can match, without losing where each token came from.

Three steps, none of which changes the length of the text, so a token's offsets in the processed text are
its offsets in the source (that is the whole offset map):

1. Masking: parts the customer does not read as words are replaced by spaces: Jinja tags and comments
   (except the *contents of string literals* inside `{{ }}` / `{% %}`, which do end up in the message),
   URLs, e-mail addresses, Markdown link targets, HTML tags and entities, IBANs.
2. Tokenising: maximal runs of letters and digits. Apostrophes and hyphens separate tokens
   ("n'avez-vous" -> n, avez, vous), so typographic variants of both never matter.
3. Normalising each token: case-folded, accents removed (é -> e, œ -> oe), then stemmed by a small
   language-specific suffix stripper (stemming.py) so inflections meet ("retardées" -> "retard").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

from relance.engine.lint.stemming import stem

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def wordset(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (long word lists stay readable)."""
    return frozenset(words.split())


def fold(text: str) -> str:
    """Lower case, no accents, ligatures spelled out. May change the length: use on tokens, not texts."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_STRING_LITERAL = re.compile(r"'[^'\\]*(?:\\.[^'\\]*)*'|\"[^\"\\]*(?:\\.[^\"\\]*)*\"")
# Things that are not prose: masked for every rule that reads words.
_NOT_PROSE = re.compile(
    r"(?:https?://|www\.)[^\s<>()\[\]{}\"']+"  # URLs
    r"|mailto:\S+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|\]\([^)\s]*\)"  # Markdown link targets
    r"|<[^<>\n]{1,200}>"  # HTML tags
    r"|&[a-zA-Z]{2,8};|&#\d{2,6};"  # HTML entities
    r"|\b[A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{4}){2,7}(?:[ \u00a0]?[A-Z0-9]{1,3})?\b"  # IBANs
)
_TOKEN = re.compile(r"[^\W_]+")
# Between two tokens, these end a sentence ("." followed by a space: "1,250.00" is one sentence).
_SENTENCE_BREAK = re.compile(r"[.!?…][\"'»”)\]]*\s|\n[ \t]*\n")
# Clause punctuation: a gap in a phrase pattern never spans it ("vous avez déjà payé, ignorez" is not
# "vous avez * ignoré").
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]«»\"—–]| - ")


def _blank(match: re.Match[str]) -> str:
    return "".join("\n" if c == "\n" else " " for c in match.group(0))


def _mask_jinja(match: re.Match[str]) -> str:
    """Blank a Jinja tag but keep the text of its string literals, which the customer will read."""
    tag = match.group(0)
    if tag.startswith("{#"):
        return _blank(match)
    out = [("\n" if c == "\n" else " ") for c in tag]
    for literal in _STRING_LITERAL.finditer(tag):
        start, end = literal.start() + 1, literal.end() - 1
        out[start:end] = tag[start:end]
    return "".join(out)


def mask(text: str) -> str:
    """The text with non-prose parts replaced by spaces (same length, newlines kept)."""
    text = _JINJA.sub(_mask_jinja, text)
    return _NOT_PROSE.sub(_blank, text)


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as written in the source
    norm: str  # folded
    stem: str  # folded and stemmed
    start: int  # offsets in the source text
    end: int
    sentence_start: bool  # a sentence break separates it from the previous token
    clause_start: bool  # a sentence or clause break (comma, colon, dash...) separates it from the previous


class Text:
    """One source text (a subject or a body) with its masked form, tokens and line/column map."""

    def __init__(self, source: str, language: str, line: int = 1, column: int = 1) -> None:
        self.source = source
        self.language = language
        self.base_line = line
        self.base_column = column
        self.masked = mask(source)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]

    @cached_property
    def tokens(self) -> tuple[Token, ...]:
        tokens: list[Token] = []
        previous_end = 0
        for m in _TOKEN.finditer(self.masked):
            norm, stemmed = _normalise(m.group(0), self.language)
            gap = self.masked[previous_end : m.start()]
            tokens.append(
                Token(
                    text=self.source[m.start() : m.end()],
                    norm=norm,
                    stem=stemmed,
                    start=m.start(),
                    end=m.end(),
                    sentence_start=not tokens or bool(_SENTENCE_BREAK.search(gap)),
                    clause_start=not tokens or bool(_SENTENCE_BREAK.search(gap) or _CLAUSE_BREAK.search(gap)),
                )
            )
            previous_end = m.end()
        return tuple(tokens)

    @cached_property
    def stems(self) -> frozenset[str]:
        return frozenset(t.stem for t in self.tokens)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) in the source file of a character offset in this text."""
        index = _bisect(self._line_starts, offset)
        column = offset - self._line_starts[index] + 1
        if index == 0:
            column += self.base_column - 1
        return self.base_line + index, column

    def span(self, start: int, end: int) -> tuple[int, int, int, int]:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return line, column, end_line, end_column

    def lines(self) -> list[tuple[int, str]]:
        """(offset, line text) for every line of the source."""
        ends = [*self._line_starts[1:], len(self.source) + 1]
        return [(s, self.source[s : e - 1]) for s, e in zip(self._line_starts, ends, strict=True)]


@lru_cache(maxsize=65536)
def _normalise(word: str, language: str) -> tuple[str, str]:
    """(folded, stemmed) form of a word; cached, as a message repeats most of its words."""
    norm = fold(word)
    return norm, stem(norm, language)


def _bisect(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low
