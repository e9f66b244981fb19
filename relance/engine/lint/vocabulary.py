"""The shape of a vocabulary entry, the stage groups the tables refer to, and the compiled tables.

An entry is a phrase pattern (see matcher.py) with, per stage, the severity it gets there (a stage that is
absent means "fine at this stage"), an explanation and, where there is one, a better wording. Shields are
entries with no rule: they only protect a harmless phrase from a shorter entry it contains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from relance.engine.lint.matcher import PhraseSet
from relance.engine.lint.model import ERROR, INFO, SAAS_STAGES, STAGES, WARNING

# Rule ids of the phrase tables.
AVOID = "vocabulary.avoid"
COLLECTION = "vocabulary.collection_too_early"
LEGAL = "vocabulary.legal_too_early"
ACCUSATORY = "tone.accusatory"
HOSTILE = "tone.hostile"
THREAT = "tone.threat"
URGENCY = "tone.urgency"

# Stage groups.
FINAL_STAGES = ("final", "final_warning")
NOT_FINAL = tuple(s for s in STAGES if s not in FINAL_STAGES)
B2B_BEFORE_FINAL = ("pre_due", "first", "second", "payment_plan")
B2B_EARLY = ("pre_due", "first", "payment_plan")  # the friendly end of the B2B series
SAAS_EARLY = ("card_expiring", "payment_failed_1")
SAAS_LATER = ("payment_failed_2", "payment_failed_3", "alternative")
SAAS_BEFORE_FINAL = SAAS_EARLY + SAAS_LATER
ALL = STAGES
SAAS = SAAS_STAGES


def levels(
    error: tuple[str, ...] = (), warning: tuple[str, ...] = (), info: tuple[str, ...] = ()
) -> Mapping[str, str]:
    out: dict[str, str] = {}
    for severity, stages in ((INFO, info), (WARNING, warning), (ERROR, error)):
        for stage in stages:
            if stage not in STAGES:
                raise ValueError(f"unknown stage {stage!r}")
            out[stage] = severity
    return out


@dataclass(frozen=True)
class Entry:
    pattern: str
    rule: str
    at: Mapping[str, str]  # stage -> severity
    why: str  # why it is a problem here, in the table's language
    suggestion: str | None = None
    saas_suggestion: str | None = None  # for the subscription stages, when the wording differs
    subject_severity: str | None = None  # in a subject, at any stage (e.g. "URGENT" is always an error there)
    shield: bool = False
    extra: tuple[str, ...] = field(default=())  # more patterns sharing this entry's verdict

    def severity(self, stage: str, in_subject: bool) -> str | None:
        if in_subject and self.subject_severity:
            return self.subject_severity
        return self.at.get(stage)

    def suggestion_for(self, stage: str) -> str | None:
        if stage in SAAS_STAGES and self.saas_suggestion:
            return self.saas_suggestion
        return self.suggestion


def shield(*patterns: str) -> list[Entry]:
    return [Entry(p, "", {}, "", shield=True) for p in patterns]


@dataclass(frozen=True)
class Preferred:
    """Words a stage should use; only ever an info when none is present."""

    stages: tuple[str, ...]
    patterns: tuple[str, ...]
    examples: str  # shown in the finding


@cache
def table(language: str) -> PhraseSet[Entry]:
    phrases: PhraseSet[Entry] = PhraseSet(language)
    for entry in _entries(language):
        for pattern in (entry.pattern, *entry.extra):
            phrases.add(pattern, entry, shield=entry.shield)
    return phrases


@cache
def preferred(language: str) -> tuple[tuple[Preferred, PhraseSet[str]], ...]:
    out = []
    for item in _preferred(language):
        cues: PhraseSet[str] = PhraseSet(language)
        for pattern in item.patterns:
            cues.add(pattern, pattern)
        out.append((item, cues))
    return tuple(out)


def _entries(language: str) -> list[Entry]:
    if language == "fr":
        from relance.engine.lint.vocabulary_fr import ENTRIES
    else:
        from relance.engine.lint.vocabulary_en import ENTRIES
    return ENTRIES


def _preferred(language: str) -> list[Preferred]:
    from relance.engine.lint.vocabulary_prefer import PREFERRED_EN, PREFERRED_FR

    return PREFERRED_FR if language == "fr" else PREFERRED_EN


def suppresses(longer: Entry, shorter: Entry) -> bool:
    """Whether a longer match makes a match it contains redundant: a negative word inside a more
    specific phrase ("retard" in "pénalités de retard"), the same kind of problem twice, or a collection
    word inside a legal mention ("recouvrement" in "frais de recouvrement"). Different problems on the
    same words are all reported ("des pénalités de retard seront appliquées" is legal AND a threat)."""
    return (
        shorter.rule == longer.rule
        or shorter.rule == AVOID
        or (shorter.rule == COLLECTION and longer.rule == LEGAL)
    )
