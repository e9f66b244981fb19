"""The 0-100 score: 100 minus the weight of each finding, floored at 0.

Weights: error 15, warning 6, info 1. A problem repeated (same rule, same words) costs its full weight once
and 1 point each further time: a word used five times is one habit to fix, not five, and the score should
not collapse on it. So one error and two warnings give 73; seven errors give 0.
"""

from __future__ import annotations

from relance.engine.lint.model import ERROR, INFO, WARNING, Finding
from relance.engine.lint.normalise import fold

WEIGHTS = {ERROR: 15, WARNING: 6, INFO: 1}
REPEAT_WEIGHT = 1


def score(findings: tuple[Finding, ...] | list[Finding]) -> int:
    seen: set[tuple[str, str, str]] = set()
    total = 0
    for finding in findings:
        key = (finding.rule, finding.severity, fold(finding.excerpt))
        total += REPEAT_WEIGHT if key in seen else WEIGHTS[finding.severity]
        seen.add(key)
    return max(0, 100 - total)
