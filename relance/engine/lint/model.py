"""The linter's vocabulary of results: what is linted, what is found. Pure data, no Django."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR, WARNING, INFO = "error", "warning", "info"

B2B_STAGES = ("pre_due", "first", "second", "final", "payment_plan")
SAAS_STAGES = (
    "card_expiring",
    "payment_failed_1",
    "payment_failed_2",
    "payment_failed_3",
    "final_warning",
    "alternative",
)
STAGES = B2B_STAGES + SAAS_STAGES


@dataclass(frozen=True)
class Facts:
    """What the message is about, when known (a template rendered on sample data), so that structure rules
    can check for the real values; for pasted text they are empty and the rules fall back to patterns."""

    invoice_numbers: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()  # as rendered, e.g. "1 234,56 €"
    due_dates: tuple[str, ...] = ()  # as rendered, e.g. "15 mars 2026"
    names: tuple[str, ...] = ()  # customer and company names
    link_urls: tuple[str, ...] = ()  # URLs the rendered message contains


@dataclass(frozen=True)
class LintInput:
    """One message to lint.

    `subject` and `body` are the text whose words are checked and where spans point (a template's source, or
    pasted text). `rendered_subject` and `rendered_body` are what the customer reads (a template rendered on
    sample data); for pasted text leave them None and the source is used. `subject_line` / `body_line` are the
    1-based lines of the source file where the subject and the body start, so spans are file positions.
    """

    stage: str
    language: str  # "fr" | "en"
    subject: str
    body: str
    rendered_subject: str | None = None
    rendered_body: str | None = None
    subject_line: int = 1
    subject_column: int = 1
    body_line: int = 1
    sender: str = ""  # the From address, when known
    ctas: tuple[tuple[str, str], ...] = ()  # (label, link variable name) of the call-to-action buttons
    known_links: frozenset[str] = frozenset()  # link variables that exist (pay, invoice, ...)
    facts: Facts = field(default_factory=Facts)
    country: str = "FR"  # of the creditor: French legal mentions at the final stage
    reply_to: str = ""  # the Reply-To address, when known (softens a no-reply From, never excuses it)


@dataclass(frozen=True)
class Finding:
    rule: str  # dotted id, e.g. "vocabulary.avoid", "tone.accusatory", "subject.too_long"
    severity: str  # ERROR | WARNING | INFO
    message: str  # in the message's language
    line: int  # 1-based, in the linted source
    column: int  # 1-based
    end_line: int
    end_column: int  # exclusive
    excerpt: str = ""  # the text the finding is about
    suggestion: str | None = None  # a better wording, where there is one
    part: str = "body"  # where it points: "subject" | "body" | "sender" | "cta" (missing parts: "body")


@dataclass(frozen=True)
class LintReport:
    findings: tuple[Finding, ...]
    score: int  # 0-100: 100 = nothing to say

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == WARNING)

    @property
    def infos(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == INFO)

    @property
    def rules(self) -> frozenset[str]:
        """The rule ids that fired at error or warning severity."""
        return frozenset(f.rule for f in self.findings if f.severity in (ERROR, WARNING))
