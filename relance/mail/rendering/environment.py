"""The Jinja side of message templates: a strict sandbox, Babel filters per locale, and value slots.

A body is rendered once. While it renders, every `{{ ... }}` value is replaced by an opaque slot token
(letters and digits only), so Markdown never sees customer data: a name such as `*Acme* <b>` can neither
add formatting nor markup. After Markdown has run, each token is replaced by the value HTML-escaped for the
HTML part, or as it is for the plain-text part. `Block` values carry output that differs between the two
parts (the call-to-action buttons).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from html import escape

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.numbers import format_currency
from babel.units import format_unit
from jinja2 import StrictUndefined, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment

# Babel locale per template language. English uses the neutral `en` (US conventions: 'March 15, 2026').
LOCALES = {"fr": "fr_FR", "en": "en"}
_OTHERS = {"fr": "{first} et {count} autres", "en": "{first} and {count} others"}
# Named date formats that follow each locale's order (CLDR skeletons): '22 avril' / 'April 22', 'avril 2026'.
DATE_SKELETONS = {"day_month": "MMMMd", "month_year": "yMMMM"}


@dataclass(frozen=True)
class Block:
    """Output that differs between the parts: raw HTML for the HTML part, text for the plain-text part."""

    html: str
    text: str


_ANY_SLOT = re.compile(r"rlv([0-9a-f]{12})x(\d+)x")


class Slots:
    """The values of one rendering, each standing in the Markdown source as a token until the end."""

    def __init__(self) -> None:
        self._token = secrets.token_hex(6)
        self.prefix = self._prefix = f"rlv{self._token}x"
        self._values: list[str | Block] = []
        # One pattern for every rendering (compiling one per message is measurable at 20,000 messages);
        # tokens of another rendering's prefix are left as they are.
        self.pattern = _ANY_SLOT

    def add(self, value: object) -> str:
        self._values.append(value if isinstance(value, Block) else str(value))
        return f"{self._prefix}{len(self._values) - 1}x"

    def value(self, match: re.Match[str]) -> str | Block:
        if match.group(1) != self._token:
            return match.group(0)
        return self._values[int(match.group(2))]

    def pieces(self, text: str) -> Iterator[tuple[bool, str | Block]]:
        """Split `text` into (is_value, piece): literal text and the values its tokens stand for."""
        position = 0
        for match in self.pattern.finditer(text):
            if match.start() > position:
                yield False, text[position : match.start()]
            yield True, self.value(match)
            position = match.end()
        if position < len(text):
            yield False, text[position:]

    def raw(self, text: str) -> str:
        """`text` with every token replaced by its value as plain text."""
        return self.pattern.sub(lambda m: _as_text(self.value(m)), text)

    def html(self, text: str) -> str:
        """`text` with every token replaced by its value escaped for HTML (line breaks kept as <br>)."""
        return self.pattern.sub(lambda m: _as_html(self.value(m)), text)


def _as_text(value: str | Block) -> str:
    return value.text if isinstance(value, Block) else value


def _as_html(value: str | Block) -> str:
    if isinstance(value, Block):
        return value.html
    return escape(value, quote=True).replace("\n", "<br>\n")


# Set while a body renders; subjects, preheaders and labels render without it, as plain text.
_SLOTS: ContextVar[Slots | None] = ContextVar("relance_mail_slots", default=None)


@contextmanager
def collecting(slots: Slots) -> Iterator[Slots]:
    """While inside, `{{ ... }}` values go into `slots` and leave tokens in the output."""
    token = _SLOTS.set(slots)
    try:
        yield slots
    finally:
        _SLOTS.reset(token)


def _finalize(value: object) -> object:
    if value is None:
        return ""
    slots = _SLOTS.get()
    if slots is None:
        return value.text if isinstance(value, Block) else value
    return slots.add(value)


def babel_locale(language: str) -> str:
    code = LOCALES.get(language, language)
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return "en"
    return code


def _field(obj: object, name: str) -> object:
    return obj[name] if isinstance(obj, Mapping) else getattr(obj, name)


def _filters(language: str) -> dict[str, Callable[..., str]]:
    locale = babel_locale(language)

    def money(amount: Decimal | int | str, currency: str) -> str:
        if isinstance(amount, float | bool):
            raise TypeError(f"money() takes a Decimal, not {type(amount).__name__} {amount!r}")
        value = amount if isinstance(amount, Decimal | int) else Decimal(str(amount))
        return format_currency(value, str(currency), locale=locale)

    def long_date(value: date | str, format: str = "long") -> str:
        day = date.fromisoformat(value) if isinstance(value, str) else value
        if format in DATE_SKELETONS:
            return format_skeleton(DATE_SKELETONS[format], day, locale=locale)
        return format_date(day, format=format, locale=locale)

    def days(count: int) -> str:
        return format_unit(int(count), "duration-day", length="long", locale=locale)

    def numbers(invoices: Iterable[object]) -> str:
        refs = [str(_field(invoice, "number")) for invoice in invoices]
        if len(refs) <= 2:
            return format_list(refs, locale=locale) if refs else ""
        return _OTHERS.get(language, _OTHERS["en"]).format(first=refs[0], count=len(refs) - 1)

    return {"money": money, "date": long_date, "days": days, "numbers": numbers}


@lru_cache(maxsize=8)
def environment(language: str) -> ImmutableSandboxedEnvironment:
    """The sandbox for templates in `language`: unknown names raise, lists and dicts are read-only."""
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,  # escaping happens per part, after Markdown (see the module docstring)
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    filters = _filters(language)
    env.filters.update(filters)
    env.globals["money"] = filters["money"]
    return env


@lru_cache(maxsize=512)
def compile_source(language: str, source: str, filename: str) -> Template:
    """Compile `source`; syntax errors and runtime tracebacks carry `filename` and its line numbers."""
    env = environment(language)
    code = env.compile(source, filename=filename)
    return env.template_class.from_code(env, code, env.make_globals(None), None)
