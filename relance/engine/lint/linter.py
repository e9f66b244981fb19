"""`lint()`: every rule over one message, findings in source order, and the score."""

from __future__ import annotations

from relance.engine.lint.model import ERROR, INFO, STAGES, WARNING, Finding, LintInput, LintReport
from relance.engine.lint.normalise import Text
from relance.engine.lint.rules_sender import check_ctas, check_sender
from relance.engine.lint.rules_structure import check_structure
from relance.engine.lint.rules_subject import check_subject
from relance.engine.lint.rules_tone import check_capitals, check_exclamations
from relance.engine.lint.rules_vocabulary import check_phrases, check_preferred
from relance.engine.lint.score import score

_RANK = {ERROR: 0, WARNING: 1, INFO: 2}
_PART_RANK = {"sender": 0, "cta": 1, "subject": 2, "body": 3}


def lint(inp: LintInput) -> LintReport:
    if inp.stage not in STAGES:
        raise ValueError(f"unknown stage {inp.stage!r}; expected one of {', '.join(STAGES)}")
    if inp.language not in ("fr", "en"):
        raise ValueError(f"unsupported language {inp.language!r}; expected 'fr' or 'en'")
    subject = Text(inp.subject, inp.language, inp.subject_line, inp.subject_column)
    body = Text(inp.body, inp.language, inp.body_line)
    findings: list[Finding] = []
    findings += check_sender(inp)
    findings += check_ctas(inp)
    for text, part in ((subject, "subject"), (body, "body")):
        findings += check_phrases(inp, text, part)
        findings += check_capitals(inp, text, part)
        findings += check_exclamations(inp, text, part)
    findings += check_subject(inp, subject)
    findings += check_structure(inp, body)
    findings += check_preferred(inp, [subject, body])
    findings.sort(key=lambda f: (_PART_RANK[f.part], f.line, f.column, _RANK[f.severity], f.rule))
    return LintReport(findings=tuple(findings), score=score(findings))
