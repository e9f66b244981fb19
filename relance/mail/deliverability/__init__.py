"""Deliverability checks of rendered reminders: content checks in Python, and a local SpamAssassin score.

A reminder that lands in the spam folder is not read, and an unread reminder is not paid. Every built-in
template, in every language, is rendered with the sample data (`sample_context`), built into the MIME
message that would go out (`relance.mail.mime.make_mime`) and checked:

Content checks (`check_content`, no external tool), each a list of `Finding`s, empty when all is well:

- `plain_text`: a text/plain part exists and has words in it (an HTML-only message is a spam signal and
  unreadable in text-only clients).
- `html`: a text/html part exists.
- `visible_text`: the HTML shows at least `MIN_VISIBLE_CHARS` letters or digits: no image-only message.
  Visible text excludes <head>, <style>, <script>, <title> and anything styled `display: none` or
  `visibility: hidden` (the preheader), and image alt text.
- `text_html_ratio`: the plain-text part says about as much as the HTML. The ratio is the number of
  letters and digits in the text part, with its written-out URLs removed (the HTML keeps them in href
  attributes), divided by the number of letters and digits of the HTML's visible text. It must lie within
  [`MIN_TEXT_HTML_RATIO`, `MAX_TEXT_HTML_RATIO`] = [0.3, 3.0]: below, the text part is a stub ("view this
  e-mail in a browser"); above, the HTML hides most of what the text says. Letters and digits are counted,
  not characters, so that table rules and line wrapping of the text part do not count.
- `url_shortener`: no link (text part, HTML attributes or visible text) goes through a URL shortener
  (`URL_SHORTENERS`): filters distrust them because they hide the destination.
- `img_alt`: every <img> has a non-empty alt text.

SpamAssassin (`run_spamassassin`): the `spamassassin` command (Debian package `spamassassin`) in local
mode only: `-L` (no DNS blocklists, URIBL, Razor, Pyzor, SpamCop, HashBL), test mode `-t`, and extra
configuration that turns off every network feature and every per-user state (Bayes, auto-learning, AWL,
TxRep), with HOME in a throw-away folder and empty user preferences, so that the score only depends on the
message and the installed rules. Every template must score below `SCORE_LIMIT` (1.0; SpamAssassin's own
spam threshold is 5.0). The score is the sum of the rule scores at full precision.
"""

from relance.mail.deliverability.content import (
    MAX_TEXT_HTML_RATIO,
    MIN_TEXT_HTML_RATIO,
    MIN_VISIBLE_CHARS,
    SCORE_LIMIT,
    URL_SHORTENERS,
    Finding,
    check_content,
    check_images,
    check_plain_text,
    check_ratio,
    check_shorteners,
    check_visible_text,
    message_parts,
    scan_html,
    shortener_host,
    text_html_ratio,
    visible_text,
)
from relance.mail.deliverability.spamassassin import (
    SPAMASSASSIN_TIMEOUT,
    RuleHit,
    SpamAssassinError,
    SpamReport,
    find_spamassassin,
    parse_report,
    parse_reports,
    parse_reports_by_id,
    run_spamassassin,
    run_spamassassin_many,
    spam_findings,
    spamassassin_command,
)
from relance.mail.deliverability.templates import (
    BUILTIN_DIR,
    TemplateCheck,
    builtin_template_files,
    check_templates,
    sample_message,
)

__all__ = [
    "BUILTIN_DIR",
    "MAX_TEXT_HTML_RATIO",
    "MIN_TEXT_HTML_RATIO",
    "MIN_VISIBLE_CHARS",
    "SCORE_LIMIT",
    "SPAMASSASSIN_TIMEOUT",
    "URL_SHORTENERS",
    "Finding",
    "RuleHit",
    "SpamAssassinError",
    "SpamReport",
    "TemplateCheck",
    "builtin_template_files",
    "check_content",
    "check_images",
    "check_plain_text",
    "check_ratio",
    "check_shorteners",
    "check_templates",
    "check_visible_text",
    "find_spamassassin",
    "message_parts",
    "parse_report",
    "parse_reports",
    "parse_reports_by_id",
    "run_spamassassin",
    "run_spamassassin_many",
    "sample_message",
    "scan_html",
    "shortener_host",
    "spam_findings",
    "spamassassin_command",
    "text_html_ratio",
    "visible_text",
]
