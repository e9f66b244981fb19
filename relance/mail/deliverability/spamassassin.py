"""Scoring messages with SpamAssassin's local rules (no network tests), and reading its reports."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path

from relance.mail.deliverability.content import SCORE_LIMIT, Finding

SPAMASSASSIN_TIMEOUT = 60.0

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


class SpamAssassinError(Exception):
    """SpamAssassin could not score a message: missing, timed out, failed, or its report is unreadable."""


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
