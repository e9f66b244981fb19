"""Content checks of a rendered message that need no SpamAssassin: a plain-text part, visible text,
a sensible text/HTML ratio, no URL shortener, alt text on images."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from html.parser import HTMLParser
from urllib.parse import urlsplit

SCORE_LIMIT = 1.0
MIN_TEXT_HTML_RATIO = 0.3
MAX_TEXT_HTML_RATIO = 3.0
MIN_VISIBLE_CHARS = 100

URL_SHORTENERS = frozenset(
    {
        "adf.ly", "amzn.to", "b.link", "bit.do", "bit.ly", "bitly.com", "bitly.ws", "bl.ink", "buff.ly",
        "chilp.it", "clck.ru", "cli.gs", "cutt.ly", "db.tt", "dlvr.it", "eepurl.com", "fb.me", "flic.kr",
        "go.ly", "goo.gl", "grabify.link", "han.gl", "hubs.ly", "hyperurl.co", "is.gd", "j.mp", "lnkd.in",
        "mcaf.ee", "ow.ly", "owl.li", "qr.ae", "rb.gy", "rebrand.ly", "s.id", "shar.es", "short.gy",
        "shorte.st", "shorturl.at", "smarturl.it", "snip.ly", "soo.gd", "su.pr", "t.co", "t.ly", "tiny.cc",
        "tiny.one", "tinyurl.com", "to.ly", "tr.im", "trib.al", "u.to", "urlz.at", "v.gd", "wp.me", "x.co",
        "y2u.be", ".app.link", ".page.link",
    }
)  # fmt: skip

# The `report` line added to SpamAssassin's report: every rule hit with its score at full precision.


@dataclass(frozen=True)
class Finding:
    # render, plain_text, html, visible_text, text_html_ratio, url_shortener, img_alt, spamassassin
    check: str
    message: str


_HIDDEN_TAGS = frozenset({"head", "style", "script", "title", "template", "noscript"})
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_BLOCK_TAGS = frozenset(
    {"address", "article", "blockquote", "br", "div", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
     "hr", "li", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"}
)  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"(?:\bhttps?://|\bmailto:|\btel:|\bwww\.)\S+", re.IGNORECASE)
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "background", "poster", "srcset"})


class _HTMLScan(HTMLParser):
    """The visible text of an HTML document, its images and the URLs of its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden by itself)
        self.hidden_depth = 0
        self.visible: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self._break(tag)
        for name, value in attrs:
            if name in _URL_ATTRIBUTES and value:
                self.urls.extend(value.split() if name == "srcset" else [value.strip()])
        if tag == "img":
            self.images.append(attributes)
        if tag in _VOID_TAGS:
            return
        hidden = (
            tag in _HIDDEN_TAGS
            or "hidden" in attributes
            or bool(_HIDDEN_STYLE.search(attributes.get("style") or ""))
        )
        self.stack.append((tag, hidden))
        self.hidden_depth += hidden

    def handle_endtag(self, tag: str) -> None:
        self._break(tag)
        if tag in _VOID_TAGS:
            return
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:  # close it and whatever was left open inside it
                self.hidden_depth -= sum(hidden for _, hidden in self.stack[index:])
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth:
            self.visible.append(data)

    def _break(self, tag: str) -> None:
        """Blocks and line breaks separate words (the text is joined without spaces otherwise)."""
        if tag in _BLOCK_TAGS and not self.hidden_depth:
            self.visible.append("\n")


def scan_html(html: str) -> _HTMLScan:
    scan = _HTMLScan()
    scan.feed(html)
    scan.close()
    return scan


def visible_text(html: str) -> str:
    """The text a reader sees, whitespace collapsed."""
    return " ".join("".join(scan_html(html).visible).split())


def _word_chars(text: str) -> int:
    return sum(character.isalnum() for character in text)


def text_html_ratio(text: str, html: str) -> float:
    """Letters and digits of the text part without its URLs / those of the HTML's visible text."""
    shown = _word_chars(visible_text(html))
    said = _word_chars(_URL_IN_TEXT.sub(" ", text))
    return said / shown if shown else float("inf")


def check_plain_text(text: str | None) -> list[Finding]:
    if text is None:
        return [Finding("plain_text", "no text/plain part: send a plain-text alternative with the HTML")]
    if not _word_chars(text):
        return [Finding("plain_text", "the text/plain part is empty")]
    return []


def check_visible_text(html: str) -> list[Finding]:
    count = _word_chars(visible_text(html))
    if count < MIN_VISIBLE_CHARS:
        return [
            Finding(
                "visible_text",
                f"the HTML shows {count} letters or digits (at least {MIN_VISIBLE_CHARS} needed): "
                "image-only or empty content",
            )
        ]
    return []


def check_ratio(text: str, html: str) -> list[Finding]:
    ratio = text_html_ratio(text, html)
    if MIN_TEXT_HTML_RATIO <= ratio <= MAX_TEXT_HTML_RATIO:
        return []
    where = "a stub next to the HTML" if ratio < MIN_TEXT_HTML_RATIO else "much longer than the HTML shows"
    return [
        Finding(
            "text_html_ratio",
            f"text/HTML ratio {ratio:.2f} outside [{MIN_TEXT_HTML_RATIO}, {MAX_TEXT_HTML_RATIO}]: "
            f"the plain-text part is {where}",
        )
    ]


def shortener_host(url: str) -> str | None:
    """The shortener `url` goes through, if any."""
    target = url.strip()
    if target.lower().startswith("www."):
        target = "http://" + target
    try:
        host = (urlsplit(target).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    for entry in URL_SHORTENERS:
        if entry.startswith("."):
            if host.endswith(entry):
                return entry.lstrip(".")
        elif host == entry or host.endswith("." + entry):
            return entry
    return None


def check_shorteners(text: str, html: str) -> list[Finding]:
    scan = scan_html(html)
    candidates = [
        ("text part", _URL.findall(text)),
        ("HTML link", scan.urls),
        ("HTML text", _URL.findall(" ".join(scan.visible))),
    ]
    findings, seen = [], set()
    for where, urls in candidates:
        for url in urls:
            host = shortener_host(url)
            if host and (where, url) not in seen:
                seen.add((where, url))
                findings.append(Finding("url_shortener", f"URL shortener {host} in {where}: {url}"))
    return findings


def check_images(html: str) -> list[Finding]:
    findings = []
    for image in scan_html(html).images:
        if not (image.get("alt") or "").strip():
            findings.append(Finding("img_alt", f"<img src={image.get('src') or ''!r}> has no alt text"))
    return findings


def message_parts(email: EmailMessage) -> tuple[str | None, str | None]:
    """The decoded text/plain and text/html bodies of `email` (None when absent)."""
    plain = email.get_body(preferencelist=("plain",))
    html = email.get_body(preferencelist=("html",))
    return (
        plain.get_content() if plain is not None else None,
        html.get_content() if html is not None else None,
    )


def check_content(email: EmailMessage) -> list[Finding]:
    """Every check but SpamAssassin, on the message as it goes out."""
    text, html = message_parts(email)
    findings = check_plain_text(text)
    if html is None:
        return [*findings, Finding("html", "no text/html part")]
    findings += check_visible_text(html)
    if text is not None:
        findings += check_ratio(text, html)
    findings += check_shorteners(text or "", html)
    findings += check_images(html)
    return findings


# --- SpamAssassin -----------------------------------------------------------------------------------------
