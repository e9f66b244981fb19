"""Phrase patterns over token sequences.

Pattern syntax (written in the vocabulary files, read by `compile_pattern`):
- words separated by spaces; each word is tokenised and stemmed like the text, so "n'avez-vous" is three
  slots and "retardée" matches "retard";
- `a|b|c`: one slot with alternatives (each a single word);
- `=word`: this exact form only (folded, not stemmed): "nous =exigeons" leaves "les pièces exigées" alone,
  which the stemmer would otherwise reduce to the same stem;
- `*`: a gap of 0 to 2 words ("vous n'avez * pas payé" also matches "vous n'avez toujours pas payé").
A phrase never spans a sentence break (. ! ? or a blank line), and a gap never spans clause punctuation
(a comma, a colon, a dash).

Overlaps: a match inside a longer one is dropped when the longer one says it better ("pénalités de
retard" is legal vocabulary, its "retard" is not also a negative word; the caller decides which kinds
suppress which), and always inside a shield (a phrase listed only to protect a harmless use, e.g. "nous
sommes" against "somme"). Matches that merely cross are all kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from relance.engine.lint.normalise import Text, Token

GAP_MAX = 2
T = TypeVar("T")

Slot = frozenset[str] | None  # None = gap


def compile_pattern(pattern: str, language: str) -> tuple[Slot, ...]:
    slots: list[Slot] = []
    for word in pattern.split():
        if word == "*":
            slots.append(None)
        elif "|" in word or word.startswith("="):
            alternatives = []
            for alternative in word.split("|"):
                exact = alternative.startswith("=")
                parts = Text(alternative.lstrip("="), language).tokens
                if len(parts) != 1:
                    raise ValueError(f"alternative {alternative!r} in {pattern!r} must be one word")
                alternatives.append("=" + parts[0].norm if exact else parts[0].stem)
            slots.append(frozenset(alternatives))
        else:
            slots.extend(frozenset([t.stem]) for t in Text(word, language).tokens)
    if not slots or slots[0] is None or slots[-1] is None:
        raise ValueError(f"pattern {pattern!r} must start and end with a word")
    return tuple(slots)


@dataclass(frozen=True)
class Match(Generic[T]):
    item: T
    first: int  # token indexes, inclusive
    last: int
    shield: bool = False

    @property
    def size(self) -> int:
        return self.last - self.first + 1


class PhraseSet(Generic[T]):
    """Patterns attached to items, indexed by the stems their first slot accepts."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._index: dict[str, list[tuple[tuple[Slot, ...], T, bool]]] = {}

    def add(self, pattern: str, item: T, shield: bool = False) -> None:
        slots = compile_pattern(pattern, self.language)
        first = slots[0]
        assert first is not None
        for key in first:
            self._index.setdefault(key, []).append((slots, item, shield))

    def find(
        self, tokens: Sequence[Token], suppresses: Callable[[T, T], bool] | None = None
    ) -> list[Match[T]]:
        """Every match, minus those inside a longer match that suppresses them (a shield always does;
        otherwise `suppresses(longer, shorter)` decides, default yes). Crossing matches are all kept."""
        found: list[Match[T]] = []
        for i, token in enumerate(tokens):
            candidates = self._index.get(token.stem, []) + self._index.get("=" + token.norm, [])
            for slots, item, shield in candidates:
                last = _match(tokens, i, slots, 0)
                if last is not None:
                    found.append(Match(item, i, last, shield))
        found.sort(key=lambda m: (-m.size, not m.shield, m.first))
        kept: list[Match[T]] = []
        for m in found:
            if any(_covers(k, m, suppresses) for k in kept):
                continue
            kept.append(m)
        return sorted((m for m in kept if not m.shield), key=lambda m: m.first)

    def any_in(self, tokens: Sequence[Token]) -> bool:
        return bool(self.find(tokens))


def _covers(longer: Match[T], shorter: Match[T], suppresses: Callable[[T, T], bool] | None) -> bool:
    if not (longer.first <= shorter.first and shorter.last <= longer.last):
        return False
    if longer.shield or longer.item is shorter.item or suppresses is None:
        return True
    return suppresses(longer.item, shorter.item)


def _match(tokens: Sequence[Token], i: int, slots: tuple[Slot, ...], s: int) -> int | None:
    """Index of the last token matched when slots[s:] match from tokens[i], else None."""
    slot = slots[s]
    if slot is None:
        for skip in range(GAP_MAX + 1):
            j = i + skip
            if j >= len(tokens) or (skip and tokens[j].clause_start):
                return None
            end = _match(tokens, j, slots, s + 1)
            if end is not None:
                return end
        return None
    if i >= len(tokens) or not (tokens[i].stem in slot or "=" + tokens[i].norm in slot):
        return None
    if s == len(slots) - 1:
        return i
    if i + 1 >= len(tokens) or tokens[i + 1].sentence_start:
        return None
    return _match(tokens, i + 1, slots, s + 1)


def phrase_set(patterns: Iterable[str], language: str) -> PhraseSet[str]:
    """A set of cue phrases whose item is the pattern itself (for presence checks)."""
    phrases: PhraseSet[str] = PhraseSet(language)
    for pattern in patterns:
        phrases.add(pattern, pattern)
    return phrases
