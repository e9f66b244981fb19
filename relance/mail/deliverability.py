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

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import compat32
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from relance.mail.mime import make_mime
from relance.mail.rendering import BUILTIN_DIR, Rendered, load_template, render, sample_context

SCORE_LIMIT = 1.0
MIN_TEXT_HTML_RATIO = 0.3
MAX_TEXT_HTML_RATIO = 3.0
MIN_VISIBLE_CHARS = 100
SPAMASSASSIN_TIMEOUT = 60.0

SAMPLE_FROM = "Marie Dupont <marie.dupont@acme.example>"
SAMPLE_REPLY_TO = "compta@acme.example"
SAMPLE_DOMAIN = "acme.example"
CUSTOMER_DOMAIN = "customer.example"

# Hosts of URL shorteners (a host matches an entry or any of its subdomains; an entry starting with a dot
# matches subdomains only). From SpamAssassin's 25_url_shortener.cf, the common ones.
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
_RESULT_MARK = "relance-sa-result"
_RESULT = re.compile(
    rf"^{_RESULT_MARK} score=(?P<score>-?[\d.]+) required=(?P<required>-?[\d.]+) tests=(?P<tests>\S*)\s*$",
    re.MULTILINE,
)
_REPORT_RULE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(\S.*)$")
_REPORT_MORE = re.compile(r"^\s{20,}(\S.*)$")
_MESSAGE_ID = re.compile(r"^Message-ID:\s*(<[^>]*>)", re.IGNORECASE | re.MULTILINE)
# No network, no state carried between runs: the score depends on the message and the rules only.
SPAMASSASSIN_CONFIG = (
    "report_safe 0",  # a spam message is not rewritten (its report would show twice)
    "dns_available no",
    "skip_rbl_checks 1",
    "use_bayes 0",
    "bayes_auto_learn 0",
    "ifplugin Mail::SpamAssassin::Plugin::Razor2",
    "use_razor2 0",
    "endif",
    "ifplugin Mail::SpamAssassin::Plugin::Pyzor",
    "use_pyzor 0",
    "endif",
    "ifplugin Mail::SpamAssassin::Plugin::AWL",
    "use_auto_whitelist 0",  # the name SpamAssassin 3.4 and 4 both accept
    "endif",
    "ifplugin Mail::SpamAssassin::Plugin::TxRep",
    "use_txrep 0",
    "endif",
    f"report {_RESULT_MARK} score=_SCORE_ required=_REQD_ tests=_TESTSSCORES(,)_",
)
# Where the binary is looked for after $SPAMASSASSIN and $PATH (a minimal PATH may miss some of these).
_KNOWN_PLACES = (
    "/usr/bin/spamassassin",
    "/usr/local/bin/spamassassin",
    "/usr/bin/vendor_perl/spamassassin",
    "/opt/homebrew/bin/spamassassin",
)
_TEMPLATE_FILE = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_-]*)\.(?P<language>[a-z]{2})\.md$")


class SpamAssassinError(Exception):
    """SpamAssassin could not score a message: missing, timed out, failed, or its report is unreadable."""


@dataclass(frozen=True)
class Finding:
    # render, plain_text, html, visible_text, text_html_ratio, url_shortener, img_alt, spamassassin
    check: str
    message: str


@dataclass(frozen=True)
class RuleHit:
    name: str
    score: float
    description: str = ""


@dataclass(frozen=True)
class SpamReport:
    score: float  # sum of the rule scores, full precision
    required: float  # SpamAssassin's own spam threshold (5.0 by default), for information
    rules: tuple[RuleHit, ...]
    seconds: float = 0.0


@dataclass
class TemplateCheck:
    name: str
    language: str
    stage: str = ""
    subject: str = ""
    text_html_ratio: float | None = None
    findings: list[Finding] = field(default_factory=list)
    spam: SpamReport | None = None

    @property
    def passed(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        return data


# --- The messages checked ---------------------------------------------------------------------------------


def builtin_template_files(folder: Path = BUILTIN_DIR) -> list[tuple[str, str]]:
    """(name, language) of every `<name>.<language>.md` in `folder`, sorted: whatever is there today."""
    found = []
    for path in folder.iterdir():
        match = _TEMPLATE_FILE.match(path.name)
        if match and path.is_file():
            found.append((match["name"], match["language"]))
    return sorted(found)


def sample_message(
    name: str, language: str, date: datetime | None = None, folders: Sequence[Path] = ()
) -> tuple[str, Rendered, EmailMessage]:
    """The template's stage, its rendering with the sample data of that stage, and the e-mail built from it.

    The template is loaded first so that its own `stage` picks the sample context (a template added later
    with a new stage still gets a sample). The e-mail is what `make_mime` would send: sender, customer
    contact, Reply-To, a Message-ID shaped like `compose.new_message_id`'s, a Date of `date` (now).
    """
    template = load_template(name, language, folders)
    context = sample_context(language, template.stage)
    rendered = render(template, context)
    contact = context["contact"]
    local = ".".join(part for part in (contact["first_name"], contact["last_name"]) if part).lower()
    to = f"{contact['full_name']} <{_ascii(local) or 'compta'}@{CUSTOMER_DOMAIN}>"
    digest = hashlib.sha256(f"{name}.{language}".encode()).hexdigest()[:32]
    email = make_mime(
        from_=SAMPLE_FROM,
        to=to,
        reply_to=SAMPLE_REPLY_TO,
        subject=rendered.subject,
        message_id=f"<relance.{digest}@{SAMPLE_DOMAIN}>",
        date=date or datetime.now(UTC),
        text=rendered.text,
        html=rendered.html,
        language=rendered.language,
        headers={"X-Relance-Stage": template.stage},
    )
    return template.stage, rendered, email


def _ascii(value: str) -> str:
    return re.sub(r"[^a-z0-9.]", "", value.encode("ascii", "ignore").decode())


# --- Content checks ---------------------------------------------------------------------------------------

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


def find_spamassassin() -> str | None:
    """$SPAMASSASSIN if set, else `spamassassin` on $PATH, else a usual install place; None when missing."""
    configured = os.environ.get("SPAMASSASSIN", "").strip()
    if configured:
        return shutil.which(configured)
    found = shutil.which("spamassassin")
    if found:
        return found
    return next((place for place in _KNOWN_PLACES if os.access(place, os.X_OK)), None)


def spamassassin_command(binary: str, prefs: Path, mbox: bool = False) -> list[str]:
    command = [binary, "--local", "--test-mode", "--nocreate-prefs", f"--prefs-file={prefs}"]
    if mbox:
        command.append("--mbox")
    return command + [f"--cf={line}" for line in SPAMASSASSIN_CONFIG]


def run_spamassassin(
    raw: bytes, binary: str | None = None, timeout: float = SPAMASSASSIN_TIMEOUT
) -> SpamReport:
    """Score one message (its bytes) with local rules only. Raises SpamAssassinError when it cannot."""
    return run_spamassassin_many([raw], binary, timeout)[0]


def run_spamassassin_many(
    raws: Sequence[bytes], binary: str | None = None, timeout: float | None = None
) -> list[SpamReport]:
    """Score several messages in one run (an mbox: SpamAssassin's start-up, ~0.7 s, is paid once).

    The reports come in the order of `raws`, matched by Message-ID (SpamAssassin reorders an mbox by
    date), so each message needs its own Message-ID. `timeout` is for the whole run: by default
    SPAMASSASSIN_TIMEOUT plus 5 s a message. `seconds` of each report is the run's time over the count.
    """
    if not raws:
        return []
    binary = binary or find_spamassassin()
    if not binary:
        raise SpamAssassinError("spamassassin is not installed (Debian/Ubuntu: apt-get install spamassassin)")
    if timeout is None:
        timeout = SPAMASSASSIN_TIMEOUT + 5 * len(raws)
    mbox = len(raws) > 1
    ids = [_message_id(raw) for raw in raws] if mbox else []
    if mbox and (not all(ids) or len(set(ids)) != len(ids)):
        raise ValueError("scoring several messages at once needs a distinct Message-ID in each")
    data = b"".join(_mbox_entry(raw) for raw in raws) if mbox else raws[0]
    with tempfile.TemporaryDirectory(prefix="relance-sa-") as home:
        prefs = Path(home) / "user_prefs"
        prefs.write_text("")
        env = {**os.environ, "HOME": home, "LANG": "C", "LC_ALL": "C"}
        started = time.monotonic()
        try:
            done = subprocess.run(
                spamassassin_command(binary, prefs, mbox=mbox),
                input=data,
                capture_output=True,
                timeout=timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise SpamAssassinError(f"spamassassin timed out after {timeout:g} s") from exc
        except OSError as exc:
            raise SpamAssassinError(f"spamassassin could not run: {exc}") from exc
        seconds = round((time.monotonic() - started) / len(raws), 3)
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise SpamAssassinError(f"spamassassin exited with {done.returncode}: {error}")
    output = done.stdout.decode("utf-8", "replace")
    if not mbox:
        return [dataclasses.replace(parse_report(output), seconds=seconds)]
    by_id = {key: dataclasses.replace(report, seconds=seconds) for key, report in parse_reports_by_id(output)}
    missing = [key for key in ids if key not in by_id]
    if missing or len(by_id) != len(ids):
        raise SpamAssassinError(
            f"spamassassin reported on {len(by_id)} messages out of {len(ids)}; missing: {', '.join(missing)}"
        )
    return [by_id[key] for key in ids]


def _message_id(raw: bytes) -> str:
    value = BytesHeaderParser(policy=compat32).parsebytes(raw)["Message-ID"]
    return " ".join(str(value).split()) if value else ""


def _mbox_entry(raw: bytes) -> bytes:
    """One message of an mboxrd file: a From_ line, body lines starting with '>*From ' quoted."""
    body = re.sub(rb"(?m)^(>*From )", rb">\1", raw.replace(b"\r\n", b"\n"))
    stamp = time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime()).encode()
    return b"From relance@localhost " + stamp + b"\n" + body.rstrip(b"\n") + b"\n\n"


def parse_report(output: str) -> SpamReport:
    """Score and rules from the `spamassassin -t` output of one message (see `parse_reports`)."""
    reports = parse_reports(output)
    if len(reports) != 1:
        raise SpamAssassinError(f"expected one report in the spamassassin output, found {len(reports)}")
    return reports[0]


def parse_reports(output: str) -> list[SpamReport]:
    """Score and rules of each message in `spamassassin -t` output run with SPAMASSASSIN_CONFIG."""
    return [report for _, report in parse_reports_by_id(output)]


def parse_reports_by_id(output: str) -> list[tuple[str, SpamReport]]:
    """(Message-ID, report) of each message in `spamassassin -t` output run with SPAMASSASSIN_CONFIG.

    Each message's output is the message (its headers first) then the report, whose last line is
    SPAMASSASSIN_CONFIG's `report` line: rule scores at full precision come from that line, descriptions
    from the human-readable table above it. The Message-ID is "" when the message has none.
    """
    reports, start = [], 0
    for result in _RESULT.finditer(output):
        segment = output[start : result.start()]
        start = result.end()
        descriptions = _descriptions(segment)
        rules = []
        tests = result["tests"]
        for item in tests.split(",") if tests and tests != "none" else []:
            name, _, score = item.partition("=")
            try:
                rules.append(RuleHit(name, float(score or 0), descriptions.get(name, "")))
            except ValueError as exc:
                raise SpamAssassinError(f"unreadable rule score {item!r} in spamassassin output") from exc
        rules.sort(key=lambda rule: (-rule.score, rule.name))
        score = round(sum(rule.score for rule in rules), 3)
        found = _MESSAGE_ID.search(segment)
        key = " ".join(found[1].split()) if found else ""
        reports.append((key, SpamReport(score=score, required=float(result["required"]), rules=tuple(rules))))
    if not reports:
        raise SpamAssassinError(f"no {_RESULT_MARK} line in the spamassassin output: {output[-500:]!r}")
    return reports


def _descriptions(report: str) -> dict[str, str]:
    """Rule name -> description, from the table of the human-readable report (wrapped lines joined)."""
    descriptions: dict[str, str] = {}
    _, header, table = report.rpartition("---- ----")
    if not header:
        return descriptions
    last = None
    for line in table.splitlines()[1:]:
        rule = _REPORT_RULE.match(line)
        more = _REPORT_MORE.match(line)
        if rule:
            last = rule[2]
            descriptions[last] = rule[3].strip()
        elif more and last:
            descriptions[last] += " " + more[1].strip()
        elif line.strip():
            last = None
    return descriptions


def spam_findings(report: SpamReport, limit: float = SCORE_LIMIT) -> list[Finding]:
    if report.score < limit:
        return []
    rules = ", ".join(f"{rule.name} {rule.score:+.3f}" for rule in report.rules if rule.score)
    return [Finding("spamassassin", f"score {report.score:.3f} is not below {limit:g} ({rules})")]


# --- All together -----------------------------------------------------------------------------------------


def check_templates(
    templates: Iterable[tuple[str, str]] | None = None,
    spamassassin: str | None = None,
    date: datetime | None = None,
    jobs: int | None = None,
    timeout: float | None = None,
) -> list[TemplateCheck]:
    """Check `templates` (default: every built-in file, see `builtin_template_files`).

    SpamAssassin runs only when `spamassassin` (the binary's path) is given: the messages are split among
    `jobs` runs at once (default: up to 2, one per CPU). Its failures are findings, never exceptions.
    """
    checks: list[TemplateCheck] = []
    scored: list[tuple[TemplateCheck, bytes]] = []
    for name, language in templates if templates is not None else builtin_template_files():
        check = TemplateCheck(name=name, language=language)
        checks.append(check)
        try:
            check.stage, rendered, email = sample_message(name, language, date)
        except Exception as exc:  # a template that does not render fails its check, the others still run
            check.findings.append(Finding("render", f"{type(exc).__name__}: {exc}"))
            continue
        check.subject = rendered.subject
        text, html = message_parts(email)
        if text is not None and html is not None:
            check.text_html_ratio = round(text_html_ratio(text, html), 3)
        check.findings += check_content(email)
        scored.append((check, email.as_bytes()))
    if spamassassin and scored:
        workers = max(1, min(jobs or min(2, os.cpu_count() or 1), len(scored)))
        chunks = [scored[index::workers] for index in range(workers)]

        def score(chunk: list[tuple[TemplateCheck, bytes]]) -> list[SpamReport] | SpamAssassinError:
            try:
                return run_spamassassin_many([raw for _, raw in chunk], spamassassin, timeout)
            except SpamAssassinError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for chunk, outcome in zip(chunks, pool.map(score, chunks), strict=True):
                for (check, _), report in zip(chunk, _each(outcome, len(chunk)), strict=True):
                    if isinstance(report, SpamReport):
                        check.spam = report
                        check.findings += spam_findings(report)
                    else:
                        check.findings.append(Finding("spamassassin", str(report)))
    return checks


def _each(
    outcome: list[SpamReport] | SpamAssassinError, count: int
) -> list[SpamReport] | list[SpamAssassinError]:
    return outcome if isinstance(outcome, list) else [outcome] * count
