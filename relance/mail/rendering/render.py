"""Rendering a loaded template with a context into a subject, a plain-text part and an HTML part."""

from __future__ import annotations

import re
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape, unescape
from pathlib import Path
from typing import Any

import css_inline
import jinja2
import markdown
import markdown.extensions
from jinja2.exceptions import SecurityError
from markupsafe import Markup

from relance.mail.rendering.environment import Block, Slots, collecting
from relance.mail.rendering.plaintext import SPACES, html_to_text, safe_url, url_for_reading, wrap_text
from relance.mail.rendering.templates import BUILTIN_DIR, LoadedTemplate, TemplateError, load_template


class _NoRawHtml(markdown.extensions.Extension):
    """Raw HTML in a template body is shown as text, never passed through: whoever edits a template cannot
    put a script, a form or a hidden tracking element into the workspace's mail. Markdown covers layout."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


_MARKDOWN_EXTENSIONS: list[str | markdown.extensions.Extension] = [
    "tables",
    "sane_lists",
    "nl2br",
    _NoRawHtml(),
]
_LINK = re.compile(r'<a\b([^>]*?)\bhref="([^"]*)"([^>]*)>(.*?)</a>', re.DOTALL)
_RENDER_ERRORS = (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str  # plain-text part: reads on its own, links written out
    html: str  # complete HTML document, CSS inlined
    template_name: str
    template_version: str  # sha256 hex[:12] of the template file's bytes
    language: str = ""  # the template's language (differs from the one asked for after a fallback)
    preheader: str = ""


def render_message(
    name: str, language: str, context: Mapping[str, Any], folders: Sequence[Path] = ()
) -> Rendered:
    return render(load_template(name, language, folders), context)


def render(template: LoadedTemplate, context: Mapping[str, Any], subject_index: int = 0) -> Rendered:
    """Render `template` (with its subject number `subject_index`, for A/B tests of the alternatives).

    Any failure is a TemplateError naming the file and line.
    """
    compiled = template.compiled
    subject = _one_line(_run(template, compiled.subjects[subject_index], context))
    preheader = _one_line(_run(template, compiled.preheader, context)) if compiled.preheader else ""
    actions = _actions(template, context)
    buttons = _Buttons(actions)
    slots = Slots()
    with collecting(slots):
        source = _run(template, compiled.body, {**context, "buttons": buttons})
    if actions and not buttons.used:  # a template that never places its buttons gets them at the end
        source += "\n\n" + slots.add(buttons()) + "\n"
    body_html = _markdown(source, slots.prefix)
    text = html_to_text(body_html, slots) + "\n" + _footer_text(context)
    html = _document(template.language, subject, preheader, _fill_html(body_html, slots), context)
    return Rendered(
        subject=subject,
        text=text,
        html=html,
        template_name=template.name,
        template_version=template.version,
        language=template.language,
        preheader=preheader,
    )


_CANONICAL_PREFIX = "rlvslotx"


def _markdown(source: str, prefix: str) -> str:
    """Markdown to HTML. Customer values are tokens at this point, so messages of the same shape share one
    conversion: the tokens' per-rendering prefix is swapped for a fixed one around a cached conversion."""
    canonical = source.replace(prefix, _CANONICAL_PREFIX)
    return _markdown_cached(canonical).replace(_CANONICAL_PREFIX, prefix)


@lru_cache(maxsize=512)
def _markdown_cached(source: str) -> str:
    return markdown.markdown(source, extensions=_MARKDOWN_EXTENSIONS, output_format="html")


def _run(template: LoadedTemplate, part: jinja2.Template, context: Mapping[str, Any]) -> str:
    try:
        return part.render(context)
    except _RENDER_ERRORS as exc:
        line = _template_line(exc, str(template.path))
        message = f"refused by the template sandbox: {exc}" if isinstance(exc, SecurityError) else str(exc)
        if not isinstance(exc, jinja2.TemplateError):
            message = f"{type(exc).__name__}: {message}"
        raise TemplateError(message + _quote_line(template, line), template.path, line) from exc


def _template_line(exc: BaseException, filename: str) -> int | None:
    """The line of the template being rendered when `exc` was raised (Jinja maps frames to it)."""
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == filename:
            line = lineno
    return line


def _quote_line(template: LoadedTemplate, line: int | None) -> str:
    if line is None:
        return ""
    lines = template.source.split("\n")
    text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return f" (in: {text[:120]})" if text else ""


def _one_line(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def _actions(template: LoadedTemplate, context: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, URL) of each call to action whose link is set: an empty link makes no button."""
    links = context.get("links") or {}
    actions = []
    for cta, label in zip(template.ctas, template.compiled.labels, strict=True):
        target = str(links.get(cta.link) or "") if cta.link in links else cta.link
        url = safe_url(target)
        if url:
            actions.append((_one_line(_run(template, label, context)), url))
    return actions


class _Buttons:
    """The `buttons()` of a template: its calls to action, as buttons in HTML, 'Label: URL' in text."""

    def __init__(self, actions: list[tuple[str, str]]) -> None:
        self.actions = actions
        self.used = False

    def __call__(self) -> Block:
        self.used = True
        if not self.actions:
            return Block(html="", text="")
        anchors = [
            f'<a class="button{" secondary" if index else ""}" href="{escape(url)}">{escape(label)}</a>'
            for index, (label, url) in enumerate(self.actions)
        ]
        lines = [f"{label}: {url_for_reading(url)}" for label, url in self.actions]
        return Block(html='<p class="actions">' + "\n".join(anchors) + "</p>", text="\n".join(lines))


def _fill_html(body_html: str, slots: Slots) -> str:
    """Replace the tokens by escaped values; a link whose URL is empty or unsafe keeps its label only."""

    def link(match: re.Match[str]) -> str:
        before, href, after, label = match.groups()
        url = safe_url(slots.raw(unescape(href)))
        if url is None:
            return label
        return f'<a{before}href="{escape(url)}"{after}>{label}</a>'

    def alone(match: re.Match[str]) -> str:  # a block alone in a paragraph stands without the <p>
        value = slots.value(match)
        return value.html if isinstance(value, Block) else match.group(0)

    body_html = _LINK.sub(link, body_html)
    body_html = re.sub(r"<p>\s*" + slots.pattern.pattern + r"\s*</p>", alone, body_html)
    return slots.html(body_html)


def _get(obj: Any, key: str) -> str:
    value = obj.get(key) if isinstance(obj, Mapping) else getattr(obj, key, "")
    return "" if value is None else str(value)


def _footer_lines(context: Mapping[str, Any]) -> list[str]:
    company = context.get("company") or {}
    keys = ("legal_name", "address", "registration", "legal_mentions")
    return [value for value in (_get(company, key).strip() for key in keys) if value]


def _footer_text(context: Mapping[str, Any]) -> str:
    lines = _footer_lines(context)
    if not lines:
        return ""
    return "--\n" + "\n".join(wrap_text(line) for line in lines) + "\n"


@lru_cache(maxsize=1)
def _layout() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True)
    return env.from_string((BUILTIN_DIR / "_layout.html").read_text(encoding="utf-8"))


_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False)


def _document(language: str, subject: str, preheader: str, body: str, context: Mapping[str, Any]) -> str:
    footer = [Markup("<br>\n").join(line.splitlines()) for line in _footer_lines(context)]
    page = _layout().render(
        language=language, subject=subject, preheader=preheader, body=Markup(body), footer=footer
    )
    return _INLINER.inline(page)
