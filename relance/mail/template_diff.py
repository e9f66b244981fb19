"""Differences between two versions of a template, as escaped HTML with <ins> and <del>.

Lines are compared first (difflib); a block of changed lines that has as many lines before as after is then
compared word by word, so that a changed word shows as one <del> and one <ins> inside its line. Every piece of
text is escaped: a template's `<script>` shows as text. Long runs of unchanged lines are folded, keeping a
few lines of context around each change.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

CONTEXT = 3
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)

EQUAL, INSERT, DELETE, CHANGE, FOLD = "equal", "insert", "delete", "change", "fold"


@dataclass(frozen=True)
class DiffLine:
    """One line of the comparison: its kind, its numbers in the old and the new text, its HTML."""

    kind: str  # equal | insert | delete | change (words changed inside the line) | fold (lines skipped)
    old_number: int | None
    new_number: int | None
    html: Markup
    folded: int = 0  # for a fold: how many unchanged lines it stands for


@dataclass(frozen=True)
class TemplateDiff:
    lines: tuple[DiffLine, ...]
    inserted: int  # lines added (changed lines count in both)
    deleted: int

    @property
    def identical(self) -> bool:
        return not (self.inserted or self.deleted)


def diff_sources(old: str, new: str, context: int = CONTEXT) -> TemplateDiff:
    """Compare two template sources (any line ends); unchanged runs longer than 2 × `context` fold."""
    old_lines = old.replace("\r\n", "\n").split("\n")
    new_lines = new.replace("\r\n", "\n").split("\n")
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    lines: list[DiffLine] = []
    inserted = deleted = 0
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            lines += _equal(old_lines, i1, i2, j1, context, first=index == 0, last=index == len(opcodes) - 1)
            continue
        if tag == "replace" and (i2 - i1) == (j2 - j1):
            for offset in range(i2 - i1):
                lines.append(
                    _changed(old_lines[i1 + offset], new_lines[j1 + offset], i1 + offset, j1 + offset)
                )
            inserted, deleted = inserted + (j2 - j1), deleted + (i2 - i1)
            continue
        for number in range(i1, i2):
            lines.append(DiffLine(DELETE, number + 1, None, _wrap("del", old_lines[number])))
        for number in range(j1, j2):
            lines.append(DiffLine(INSERT, None, number + 1, _wrap("ins", new_lines[number])))
        inserted, deleted = inserted + (j2 - j1), deleted + (i2 - i1)
    return TemplateDiff(lines=tuple(lines), inserted=inserted, deleted=deleted)


def _equal(
    old_lines: list[str], i1: int, i2: int, j1: int, context: int, first: bool, last: bool
) -> list[DiffLine]:
    """Unchanged lines, folded in the middle when the run is long (only the side next to a change is kept)."""
    keep_head = 0 if first else context
    keep_tail = 0 if last else context
    count = i2 - i1
    if count <= keep_head + keep_tail + 1:
        kept = list(range(count))
        folded_at = None
    else:
        kept = [*range(keep_head), *range(count - keep_tail, count)]
        folded_at = keep_head
    lines: list[DiffLine] = []
    for offset in range(count):
        if folded_at is not None and offset == folded_at:
            skipped = count - keep_head - keep_tail
            lines.append(DiffLine(FOLD, None, None, Markup(""), folded=skipped))
        if offset in kept:
            lines.append(
                DiffLine(EQUAL, i1 + offset + 1, j1 + offset + 1, Markup(escape(old_lines[i1 + offset])))
            )
    return lines


def _changed(old: str, new: str, old_index: int, new_index: int) -> DiffLine:
    """One line whose words changed: kept words plain, removed ones in <del>, added ones in <ins>."""
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    parts: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(escape("".join(before[i1:i2])))
            continue
        if i2 > i1:
            parts.append(_wrap("del", "".join(before[i1:i2])))
        if j2 > j1:
            parts.append(_wrap("ins", "".join(after[j1:j2])))
    return DiffLine(CHANGE, old_index + 1, new_index + 1, Markup("".join(parts)))


def _wrap(tag: str, text: str) -> Markup:
    return Markup(f"<{tag}>{escape(text)}</{tag}>")
