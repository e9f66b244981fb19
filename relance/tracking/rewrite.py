"""Tracking in the HTML part: every http(s) link through the click redirect, an open pixel at the end.

Done when the message is sent (build_email), never on the stored row: the outbox keeps the real links, so
the click redirect looks its target up in the message's own stored HTML (link number N of the message, as
`links()` counts them), an operator's preview opens and clicks nothing, and turning tracking off takes
effect for messages already queued. The plain-text part keeps the real URLs: a reader of plain text sees the
address itself, and a long redirect address there looks like phishing.
"""

from __future__ import annotations

import html
import re

from relance.tracking import tokens

# An <a ...> start tag's href attribute, quoted either way (our renderer always quotes).
_ANCHOR_HREF = re.compile(
    r"""(<a\b[^>]*?\bhref\s*=\s*)(?:"([^"]*)"|'([^']*)')""",
    re.IGNORECASE | re.DOTALL,
)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def _is_web(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def links(html_body: str) -> list[str]:
    """The http(s) targets of the message's links, unescaped, in document order: link N is links()[N]."""
    found = []
    for match in _ANCHOR_HREF.finditer(html_body):
        url = html.unescape((match.group(2) if match.group(2) is not None else match.group(3)).strip())
        if _is_web(url):
            found.append(url)
    return found


def tracking_urls(base_url: str, message_id: str) -> tuple[str, str]:
    """(open pixel URL, click URL prefix) for a message."""
    base = base_url.rstrip("/")
    return f"{base}/t/o/{tokens.open_token(message_id)}.gif", f"{base}/t/c/"


def rewrite_html(html_body: str, message_id: str, base_url: str) -> str:
    """Links through the click redirect (links to Relance itself are left alone) and the open pixel."""
    base = base_url.rstrip("/")
    pixel_url, click_prefix = tracking_urls(base, message_id)
    index = -1

    def replace(match: re.Match[str]) -> str:
        nonlocal index
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        url = html.unescape(raw.strip())
        if not _is_web(url):
            return match.group(0)
        index += 1  # counted as links() counts, whatever is rewritten
        if url.startswith(f"{base}/"):
            return match.group(0)
        return f'{match.group(1)}"{click_prefix}{tokens.click_token(message_id, index)}"'

    rewritten = _ANCHOR_HREF.sub(replace, html_body)
    pixel = (
        f'<img src="{html.escape(pixel_url)}" alt="" width="1" height="1" '
        'style="display:block;border:0;width:1px;height:1px;overflow:hidden">'
    )
    return insert_before_body_end(rewritten, pixel)


def insert_before_body_end(html_body: str, fragment: str) -> str:
    matches = list(_BODY_END.finditer(html_body))
    if not matches:
        return html_body + fragment
    at = matches[-1].start()
    return html_body[:at] + fragment + html_body[at:]


# Courtesy reminders a customer may decline (RFC 8058 one-click); reminders of a debt are not optional.
NON_ESSENTIAL_STAGES = frozenset({"pre_due"})

FOOTER_LINKS = {
    # (stage kind, language) → the sentence before the link
    ("optional", "fr"): "Vous préférez ne plus recevoir ces rappels avant l’échéance ?",
    ("optional", "en"): "Prefer not to receive these reminders before the due date?",
    ("contact", "fr"): "Ce n’est plus le bon contact, ou vous avez une question ?",
    ("contact", "en"): "Not the right contact, or a question?",
}
LINK_LABEL = {"fr": "Dites-le-nous", "en": "Let us know"}
_FOOTER_CELL = re.compile(r"<td\b[^>]*\bclass=\"footer\"[^>]*>", re.IGNORECASE)


def footer_link(stage: str, language: str, message_id: str, base_url: str) -> tuple[str, str]:
    """(sentence, URL) for the footer: the unsubscribe page on courtesy reminders, else the contact page."""
    base = base_url.rstrip("/")
    lang = language if language in LINK_LABEL else "en"
    if stage in NON_ESSENTIAL_STAGES:
        return FOOTER_LINKS["optional", lang], f"{base}/t/u/{tokens.unsubscribe_token(message_id)}"
    return FOOTER_LINKS["contact", lang], f"{base}/t/r/{tokens.contact_token(message_id)}"


def add_footer_link(
    text_body: str, html_body: str, sentence: str, url: str, language: str
) -> tuple[str, str]:
    """The footer line in both parts: the URL in full in the text part, a link in the HTML part."""
    label = LINK_LABEL.get(language, LINK_LABEL["en"])
    text = f"{text_body.rstrip()}\n\n{sentence} {url}\n"
    paragraph = (
        f'<p style="margin:0 0 8px 0;font-size:12px;color:#6b7280">{html.escape(sentence)} '
        f'<a href="{html.escape(url)}" style="color:#6b7280">{html.escape(label)}</a></p>'
    )
    cell = _FOOTER_CELL.search(html_body)
    if cell:
        end = html_body.find("</td>", cell.end())
        if end != -1:
            return text, html_body[:end] + paragraph + "\n" + html_body[end:]
    return text, insert_before_body_end(html_body, paragraph)
