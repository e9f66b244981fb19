"""The plain-text part, written from the HTML that Markdown produced (values still as slot tokens).

Walking the same HTML keeps both parts in step: paragraphs become blank-line separated, wrapped blocks;
`<br>` a line break; lists keep their bullets; tables become aligned columns; a link is written out after
its label. Tokens are replaced by their raw values here, so customer data is never escaped or re-parsed.
"""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser

from relance.mail.rendering.environment import Block, Slots

WIDTH = 76
SPACES = re.compile(r"[ \t\n\r\f\v]+")  # not \s: no-break spaces inside '1 234,56 €' must stay
_PARAGRAPHS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6"}
_KEEP_TOGETHER = "\ue000"  # stands for a space inside a short value while lines are wrapped
_SHORT_VALUE = 30
_SAFE_URL = re.compile(r"^(https?://\S+|mailto:\S+|tel:\S+)$", re.IGNORECASE)


def safe_url(url: str) -> str | None:
    """`url` when it is a link worth following from an e-mail (http(s), mailto, tel); else None."""
    url = url.strip()
    return url if _SAFE_URL.match(url) else None


def url_for_reading(url: str) -> str:
    return url.removeprefix("mailto:")


def html_to_text(html: str, slots: Slots, width: int = WIDTH) -> str:
    writer = _TextWriter(slots, width)
    writer.feed(html)
    writer.close()
    return writer.result()


class _TextWriter(HTMLParser):
    def __init__(self, slots: Slots, width: int) -> None:
        super().__init__(convert_charrefs=True)
        self.slots = slots
        self.width = width
        self.blocks: list[tuple[str, str]] = []  # (separator before it, text)
        self.buffer: list[str] = []
        self.links: list[tuple[str, int]] = []  # open <a>: href and where its label starts in the buffer
        self.lists: list[list[int]] = []  # open lists: [ordered (0/1), items so far]
        self.prefix = ""  # bullet waiting for the first line of the current list item
        self.in_item = False
        self.quote = 0
        self.pre = 0
        self.table: list[list[tuple[str, str, bool]]] | None = None  # rows of (text, align, header)
        self.cell: tuple[str, bool] | None = None  # align and header flag of the open cell

    # -- tags ---------------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "br":
            self.buffer.append("\n")
        elif tag == "a":
            self.links.append((attributes.get("href", ""), len(self.buffer)))
        elif tag == "img":
            self.buffer.append(attributes.get("alt", ""))
        elif tag in ("td", "th") and self.table is not None:
            self.buffer = []
            align = "right" if "right" in attributes.get("style", "") else "left"
            self.cell = (align, tag == "th")
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag == "table":
            self._flush()
            self.table = []
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append([int(tag == "ol"), 0])
        elif tag == "li" and self.lists:
            self._flush()
            current = self.lists[-1]
            current[1] += 1
            self.prefix = f"{current[1]}. " if current[0] else "- "
            self.in_item = True
        elif tag == "hr":
            self._flush()
            self._add("-" * 20)
        elif tag == "blockquote":
            self._flush()
            self.quote += 1
        elif tag == "pre":
            self._flush()
            self.pre += 1
        elif tag in _PARAGRAPHS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            self._close_link(*self.links.pop())
        elif tag in ("td", "th") and self.table is not None and self.cell is not None:
            text = SPACES.sub(" ", "".join(self.buffer)).strip()
            if self.table:
                self.table[-1].append((text, *self.cell))
            self.buffer, self.cell = [], None
        elif tag == "table" and self.table is not None:
            rows, self.table = self.table, None
            self._add(_format_table(rows), verbatim=True)
        elif tag == "li":
            self._flush()
            self.in_item = False
        elif tag in ("ul", "ol") and self.lists:
            self._flush()
            self.lists.pop()
        elif tag == "blockquote":
            self._flush()
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self._flush()
            self.pre = max(0, self.pre - 1)
        elif tag in _PARAGRAPHS:
            self._flush()

    def handle_data(self, data: str) -> None:
        for is_value, piece in self.slots.pieces(data):
            if isinstance(piece, Block):
                if self.table is not None:
                    self.buffer.append(piece.text)
                else:
                    self._flush()
                    if piece.text:
                        self._add(piece.text, verbatim=True)
            elif is_value and len(piece) <= _SHORT_VALUE and "\n" not in piece:
                self.buffer.append(piece.replace(" ", _KEEP_TOGETHER))  # a phone number, a date: one word
            elif is_value or self.pre:
                self.buffer.append(piece)
            else:
                self.buffer.append(SPACES.sub(" ", piece))

    # -- output -------------------------------------------------------------------------------------
    def _close_link(self, href: str, start: int) -> None:
        url = safe_url(self.slots.raw(href))
        label = "".join(self.buffer[start:]).strip()
        if url is None or self.table is not None:
            return  # the label alone: no empty or unsafe link, no URL inside a table cell
        readable = url_for_reading(url)
        if label not in (url, readable):
            self.buffer.append(f" ({readable})" if label else readable)

    def _flush(self) -> None:
        text, self.buffer = "".join(self.buffer), []
        if self.table is not None and self.cell is None:
            return  # stray text between table tags
        lines = text.split("\n") if self.pre else [line.strip() for line in text.split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        if lines:
            self._add("\n".join(lines), verbatim=bool(self.pre))

    def _add(self, text: str, verbatim: bool = False) -> None:
        depth = max(0, len(self.lists) - 1) * 2
        bullet, self.prefix = self.prefix, ""
        indent = " " * depth
        first = indent + bullet
        rest = indent + " " * len(bullet) if (bullet or self.in_item) else indent
        out: list[str] = []
        for number, line in enumerate(text.split("\n")):
            lead = first if number == 0 else rest
            if verbatim or not line:
                out.append(lead + line)
            else:
                out.extend(_wrap(line, self.width, lead, rest))
        if self.quote:
            out = [("> " * self.quote + line).rstrip() for line in out]
        tight = bool(bullet) and self.lists[-1][1] > 1  # list items after the first: no blank line
        self.blocks.append(("\n" if tight else "\n\n", "\n".join(out)))

    def result(self) -> str:
        self._flush()
        if not self.blocks:
            return ""
        parts = [self.blocks[0][1]] + [separator + text for separator, text in self.blocks[1:]]
        return "".join(parts).strip("\n").replace(_KEEP_TOGETHER, " ") + "\n"


def wrap_text(text: str, width: int = WIDTH) -> str:
    """`text` wrapped line by line (its own line breaks kept)."""
    return "\n".join("\n".join(_wrap(line.strip(), width, "", "")) for line in text.split("\n"))


def _wrap(line: str, width: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        line,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,  # URLs stay whole
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _format_table(rows: list[list[tuple[str, str, bool]]]) -> str:
    rows = [row for row in rows if row]
    if not rows:
        return ""
    columns = max(len(row) for row in rows)
    widths = [max((len(row[i][0]) for row in rows if i < len(row)), default=0) for i in range(columns)]
    lines = []
    for row in rows:
        cells = []
        for i, width in enumerate(widths):
            text, align, _header = row[i] if i < len(row) else ("", "left", False)
            cells.append(text.rjust(width) if align == "right" else text.ljust(width))
        lines.append("  ".join(cells).rstrip())
        if all(header for _text, _align, header in row):
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)
