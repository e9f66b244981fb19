#!/usr/bin/env python3
"""Deliverability check of the built-in templates: render each with the sample data, score it with a local
SpamAssassin (no network tests) and run the content checks of relance.mail.deliverability.

    .venv/bin/python scripts/check_deliverability.py [--json PATH] [--template NAME[.LANG]] ...

Prints a table, then the results as JSON (to stdout, or to the file given with --json). Exit status:
0 when every template passes (SpamAssassin score below 1.0 and no content finding), 1 when any fails,
2 when SpamAssassin is not installed (unless --no-spamassassin says to run the content checks only).
`make check-deliverability` runs it; CI runs that after the tests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from relance.mail.deliverability import (
    MAX_TEXT_HTML_RATIO,
    MIN_TEXT_HTML_RATIO,
    SCORE_LIMIT,
    TemplateCheck,
    builtin_template_files,
    check_templates,
    find_spamassassin,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--json", default="-", metavar="PATH", help="write the JSON there (default: stdout)")
    parser.add_argument(
        "--template",
        action="append",
        default=[],
        metavar="NAME[.LANG]",
        help="check only these templates (repeatable; default: every file in the built-in folder)",
    )
    parser.add_argument(
        "--no-spamassassin", action="store_true", help="run the content checks only (never in CI)"
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="SpamAssassin runs at once (default: CPUs, ≤2)"
    )
    parser.add_argument(
        "--timeout", type=float, default=None, help="seconds allowed for one SpamAssassin run"
    )
    args = parser.parse_args(argv)

    binary = None
    if not args.no_spamassassin:
        binary = find_spamassassin()
        if not binary:
            print(
                "check_deliverability: spamassassin is not installed. Install it (Debian/Ubuntu, as root: "
                "apt-get install -y spamassassin), point $SPAMASSASSIN at it, or pass --no-spamassassin "
                "to run the content checks only.",
                file=sys.stderr,
            )
            return 2

    templates = _selected(args.template)
    if not templates:
        print(f"check_deliverability: no template matches {args.template}", file=sys.stderr)
        return 2
    started = time.monotonic()
    checks = check_templates(templates, spamassassin=binary, jobs=args.jobs, timeout=args.timeout)
    seconds = round(time.monotonic() - started, 2)
    passed = all(check.passed for check in checks)

    print(_table(checks, binary is not None))
    print(
        f"\n{sum(c.passed for c in checks)}/{len(checks)} passed in {seconds} s "
        f"(SpamAssassin {'local rules, limit < ' + format(SCORE_LIMIT, 'g') if binary else 'not run'}; "
        f"text/HTML ratio within [{MIN_TEXT_HTML_RATIO}, {MAX_TEXT_HTML_RATIO}])"
    )
    report = _json(checks, binary, seconds, passed)
    if args.json == "-":
        print(report)
    else:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(report + "\n", encoding="utf-8")
        print(f"JSON written to {args.json}")
    return 0 if passed else 1


def _selected(wanted: list[str]) -> list[tuple[str, str]]:
    every = builtin_template_files()
    if not wanted:
        return every
    return [
        (name, language)
        for name, language in every
        if any(item in (name, f"{name}.{language}") for item in wanted)
    ]


def _table(checks: list[TemplateCheck], scored: bool) -> str:
    rows = [("template", "lang", "stage", "score", "ratio", "result", "rules hit (score) / findings")]
    for check in checks:
        score = f"{check.spam.score:.3f}" if check.spam else ("-" if not scored else "error")
        ratio = f"{check.text_html_ratio:.2f}" if check.text_html_ratio is not None else "-"
        rules = (
            ", ".join(f"{rule.name}({rule.score:g})" for rule in check.spam.rules if rule.score > 0)
            if check.spam
            else ""
        )
        rows.append(
            (check.name, check.language, check.stage, score, ratio, "ok" if check.passed else "FAIL", rules)
        )
        rows.extend(("", "", "", "", "", "", f"! {f.check}: {f.message}") for f in check.findings)
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.rjust(w) if i in (3, 4) else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row[:6], widths, strict=True))
        ]
        lines.append("  ".join([*cells, row[6]]).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in [*widths, len(row[6])]))
    return "\n".join(lines)


def _json(checks: list[TemplateCheck], binary: str | None, seconds: float, passed: bool) -> str:
    data: dict[str, Any] = {
        "passed": passed,
        "seconds": seconds,
        "score_limit": SCORE_LIMIT,
        "text_html_ratio": [MIN_TEXT_HTML_RATIO, MAX_TEXT_HTML_RATIO],
        "spamassassin": {"binary": binary, "version": _version(binary)} if binary else None,
        "templates": [check.as_dict() for check in checks],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def _version(binary: str) -> str:
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.splitlines()[0].strip() if done.stdout else ""


if __name__ == "__main__":
    sys.exit(main())
