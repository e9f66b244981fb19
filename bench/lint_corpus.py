"""Run the tone & keyword linter over the labelled corpus and print precision and recall as JSON.

    python bench/lint_corpus.py [--details]

Binary decision per message: "has at least one error or warning finding" versus "expected non-empty".
Per rule: a rule firing (error or warning) where it is not expected is a false positive; expected but not
firing is a false negative. Info findings never count. `--details` adds every disagreement.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from relance.engine.lint import Finding, LintInput, lint  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "lint"


def load(language: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((CORPUS / f"{language}.yaml").read_text(encoding="utf-8"))
    defaults = data.get("defaults", {})
    return [{**defaults, **item, "language": data["language"]} for item in data["items"]]


def to_input(item: dict[str, Any]) -> LintInput:
    return LintInput(
        stage=item["stage"],
        language=item["language"],
        subject=item["subject"],
        body=item["body"],
        sender=item.get("sender", ""),
        ctas=tuple((label, link) for label, link in item.get("ctas", [])),
        known_links=frozenset(item.get("known_links", [])),
        country=item.get("country", "FR"),
    )


def fired(findings: tuple[Finding, ...]) -> set[str]:
    return {f.rule for f in findings if f.severity in ("error", "warning")}


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 3) if denominator else 1.0


def evaluate(items: list[dict[str, Any]]) -> dict[str, Any]:
    tp = fp = fn = tn = 0
    rule_tp: Counter[str] = Counter()
    rule_fp: Counter[str] = Counter()
    rule_fn: Counter[str] = Counter()
    disagreements = []
    elapsed = 0.0
    for item in items:
        start = time.perf_counter()
        report = lint(to_input(item))
        elapsed += time.perf_counter() - start
        got, expected = fired(report.findings), set(item["expect"])
        if got and expected:
            tp += 1
        elif got:
            fp += 1
        elif expected:
            fn += 1
        else:
            tn += 1
        for rule in got & expected:
            rule_tp[rule] += 1
        for rule in got - expected:
            rule_fp[rule] += 1
        for rule in expected - got:
            rule_fn[rule] += 1
        if got != expected:
            disagreements.append(
                {
                    "id": item["id"],
                    "unexpected": sorted(got - expected),
                    "missed": sorted(expected - got),
                    "findings": [
                        f"{f.severity} {f.rule} {f.line}:{f.column} {f.excerpt!r}"
                        for f in report.findings
                        if f.rule in got - expected
                    ],
                }
            )
    rules = sorted(set(rule_tp) | set(rule_fp) | set(rule_fn))
    return {
        "messages": len(items),
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        "rules": {
            rule: {
                "precision": _ratio(rule_tp[rule], rule_tp[rule] + rule_fp[rule]),
                "recall": _ratio(rule_tp[rule], rule_tp[rule] + rule_fn[rule]),
                "tp": rule_tp[rule],
                "fp": rule_fp[rule],
                "fn": rule_fn[rule],
            }
            for rule in rules
        },
        "ms_per_message": round(1000 * elapsed / max(1, len(items)), 2),
        "disagreements": disagreements,
    }


def run(details: bool = False) -> dict[str, Any]:
    by_language = {language: load(language) for language in ("fr", "en")}
    result: dict[str, Any] = {lang: evaluate(items) for lang, items in by_language.items()}
    result["overall"] = evaluate([item for items in by_language.values() for item in items])
    if not details:
        for section in result.values():
            section.pop("disagreements")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--details", action="store_true", help="list every message where rules disagree")
    args = parser.parse_args()
    print(json.dumps(run(details=args.details), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
