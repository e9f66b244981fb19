"""Phrase rules: the stage vocabulary (avoid / prefer), collection and legal words used too early, and the
phrase-based tone rules (accusatory, hostile, threat, urgency). One table per language, one pass per text.

Rule ids and severities (the per-stage severities live in the vocabulary tables):
- vocabulary.avoid                  warning (info at a final stage for some words): a negative word
- vocabulary.collection_too_early   error before the final stage (warning at a SaaS final warning)
- vocabulary.legal_too_early        warning before the final stage
- tone.accusatory                   error at every stage
- tone.hostile                      error at every stage
- tone.threat                       error before the final stage (B2B); warning at early SaaS stages
- tone.urgency                      warning; error in a subject for "urgent"
- vocabulary.prefer                 info, at most one per message: none of the stage's preferred words
"""

from __future__ import annotations

from relance.engine.lint.findings import at_span, missing, quote, t
from relance.engine.lint.model import INFO, Finding, LintInput
from relance.engine.lint.normalise import Text
from relance.engine.lint.vocabulary import preferred, suppresses, table


def check_phrases(inp: LintInput, text: Text, part: str) -> list[Finding]:
    findings: list[Finding] = []
    for m in table(inp.language).find(text.tokens, suppresses):
        entry = m.item
        severity = entry.severity(inp.stage, in_subject=part == "subject")
        if severity is None:
            continue
        start, end = text.tokens[m.first].start, text.tokens[m.last].end
        excerpt = text.source[start:end]
        message = (
            f"{quote(inp.language, excerpt)} : {entry.why}."
            if inp.language == "fr"
            else (f"{quote(inp.language, excerpt)}: {entry.why}.")
        )
        suggestion = entry.suggestion_for(inp.stage)
        if suggestion and excerpt[:1].isupper() and not excerpt.isupper() and suggestion[:1].islower():
            suggestion = suggestion[0].upper() + suggestion[1:]  # "Nous vous relançons" -> "Nous revenons..."
        findings.append(at_span(text, start, end, entry.rule, severity, message, suggestion, part))
    return findings


def check_preferred(inp: LintInput, texts: list[Text]) -> list[Finding]:
    for item, cues in preferred(inp.language):
        if inp.stage not in item.stages:
            continue
        if any(cues.any_in(text.tokens) for text in texts):
            return []
        return [
            missing(
                inp,
                "vocabulary.prefer",
                INFO,
                t(
                    inp.language,
                    f"Aucun des mots conseillés à ce stade n'apparaît ; par exemple : {item.examples}.",
                    f"None of the words recommended at this stage appears; for example: {item.examples}.",
                ),
            )
        ]
    return []
