"""The tone and keyword linter: checks a reminder's subject and body against the stage it is meant for.

Pure: no Django, no I/O, no clock. `lint(LintInput) -> LintReport`. See linter.py for the order of the
rules, each rules_*.py for the rule ids and severities it emits, vocabulary_fr.py / vocabulary_en.py for
the word tables and the judgement calls behind them, score.py for the weights.
"""

from __future__ import annotations

from relance.engine.lint.linter import lint
from relance.engine.lint.model import (
    B2B_STAGES,
    ERROR,
    INFO,
    SAAS_STAGES,
    STAGES,
    WARNING,
    Facts,
    Finding,
    LintInput,
    LintReport,
)

__all__ = [
    "B2B_STAGES",
    "ERROR",
    "INFO",
    "SAAS_STAGES",
    "STAGES",
    "WARNING",
    "Facts",
    "Finding",
    "LintInput",
    "LintReport",
    "lint",
]
