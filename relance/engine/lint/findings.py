"""Small helpers to build findings in the message's language and at the right place."""

from __future__ import annotations

from relance.engine.lint.model import Finding, LintInput
from relance.engine.lint.normalise import Text


def t(language: str, fr: str, en: str) -> str:
    return fr if language == "fr" else en


def quote(language: str, excerpt: str) -> str:
    return f"« {excerpt} »" if language == "fr" else f"“{excerpt}”"


def at_span(
    text: Text,
    start: int,
    end: int,
    rule: str,
    severity: str,
    message: str,
    suggestion: str | None = None,
    part: str = "body",
) -> Finding:
    line, column, end_line, end_column = text.span(start, end)
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        excerpt=text.source[start:end],
        suggestion=suggestion,
        part=part,
    )


def whole(text: Text, rule: str, severity: str, message: str, suggestion: str | None, part: str) -> Finding:
    """A finding about a whole (one-line) text, such as the subject."""
    stripped = text.source.rstrip("\n")
    return at_span(text, 0, len(stripped), rule, severity, message, suggestion, part)


def missing(inp: LintInput, rule: str, severity: str, message: str, suggestion: str | None = None) -> Finding:
    """A finding about something absent from the body: a zero-width span at the body's first line."""
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        line=inp.body_line,
        column=1,
        end_line=inp.body_line,
        end_column=1,
        suggestion=suggestion,
        part="body",
    )


def header(
    inp: LintInput, rule: str, severity: str, message: str, excerpt: str, suggestion: str | None, part: str
) -> Finding:
    """A finding about the sender or a call-to-action, which have no position in the source: it points at
    the start of the subject line, the closest thing to a header."""
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        line=inp.subject_line,
        column=inp.subject_column,
        end_line=inp.subject_line,
        end_column=inp.subject_column,
        excerpt=excerpt,
        suggestion=suggestion,
        part=part,
    )
