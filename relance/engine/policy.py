"""Dunning policies: an ordered list of steps relative to the due date, validated with clear errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from relance.engine.errors import InvalidInput

PRE_DUE = "pre_due"
KNOWN_STAGES = ("pre_due", "first", "second", "final", "payment_plan")
CHANNELS = ("email",)


@dataclass(frozen=True)
class Step:
    stage: str
    offset_days: int
    template: str
    channel: str = "email"
    requires_approval: bool = False
    min_amount: Decimal = Decimal("0")

    @property
    def is_pre_due(self) -> bool:
        """Pre-due steps only make sense before the due date; once it has passed they are dropped."""
        return self.offset_days < 0


@dataclass(frozen=True)
class Policy:
    name: str
    steps: tuple[Step, ...]
    min_days_between_messages: int = 3
    business_days_only: bool = True
    min_amount: Decimal = Decimal("0")
    segments: frozenset[str] = field(default_factory=frozenset)
    tags: frozenset[str] = field(default_factory=frozenset)
    version: int = 1

    @property
    def is_default(self) -> bool:
        return not self.segments and not self.tags

    @property
    def specificity(self) -> tuple[int, int, int]:
        """Higher is more specific. Restricting the segment counts most, then the tags. Each listed value is
        an alternative (any one matches), so among policies restricting the same things, fewer values is
        narrower and wins."""
        return (2 * bool(self.segments) + bool(self.tags), -len(self.segments), -len(self.tags))

    def matches(self, segment: str, tags: Iterable[str]) -> bool:
        if self.segments and segment not in self.segments:
            return False
        return not self.tags or bool(self.tags & set(tags))


BUILTIN_DEFAULT = Policy(
    name="default",
    steps=(
        Step("pre_due", -5, "pre_due"),
        Step("first", 3, "first"),
        Step("second", 15, "second"),
        Step("final", 30, "final"),
    ),
    min_days_between_messages=3,
    business_days_only=True,
)

_POLICY_KEYS = {
    "name",
    "applies_to",
    "min_days_between_messages",
    "business_days_only",
    "min_amount",
    "steps",
}
_STEP_KEYS = {"stage", "offset_days", "template", "channel", "requires_approval", "min_amount"}


def parse_policy(data: Any, source: str = "policy") -> Policy:
    """Validate a policy as loaded from YAML. Raises InvalidInput listing every problem found."""
    errors: list[str] = []
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{source}: a policy is a mapping with name and steps")
    for key in sorted(set(data) - _POLICY_KEYS):
        errors.append(f"{source}: unknown key {key!r} (allowed: {', '.join(sorted(_POLICY_KEYS))})")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.append(f"{source}: name: required, a non-empty text")
        name = ""
    gap = _int(data.get("min_days_between_messages", 3), f"{source}: min_days_between_messages", errors, 1)
    business = data.get("business_days_only", True)
    if not isinstance(business, bool):
        errors.append(f"{source}: business_days_only: expected true or false, got {business!r}")
    min_amount = _amount(data.get("min_amount", 0), f"{source}: min_amount", errors)
    segments, tags = _applies_to(data.get("applies_to"), source, errors)
    steps = _steps(data.get("steps"), source, errors)
    if errors:
        raise InvalidInput("\n".join(errors))
    return Policy(
        name=name.strip(),
        steps=steps,
        min_days_between_messages=gap,
        business_days_only=bool(business),
        min_amount=min_amount,
        segments=segments,
        tags=tags,
    )


def _applies_to(raw: Any, source: str, errors: list[str]) -> tuple[frozenset[str], frozenset[str]]:
    if raw is None:
        return frozenset(), frozenset()
    if not isinstance(raw, Mapping) or set(raw) - {"segments", "tags"}:
        errors.append(f"{source}: applies_to: expected {{segments: [...], tags: [...]}}")
        return frozenset(), frozenset()
    found = []
    for key in ("segments", "tags"):
        values = raw.get(key) or []
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, str | int) for v in values):
            errors.append(f"{source}: applies_to.{key}: expected a list of names")
            values = []
        found.append(frozenset(str(v).strip() for v in values if str(v).strip()))
    return found[0], found[1]


def _steps(raw: Any, source: str, errors: list[str]) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        errors.append(f"{source}: steps: required, a non-empty list")
        return ()
    steps: list[Step] = []
    seen: set[str] = set()
    previous: int | None = None
    for number, item in enumerate(raw, start=1):
        where = f"{source}: steps[{number}]"
        if not isinstance(item, Mapping):
            errors.append(f"{where}: expected a mapping with stage, offset_days and template")
            continue
        for key in sorted(set(item) - _STEP_KEYS):
            errors.append(f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(_STEP_KEYS))})")
        stage = item.get("stage")
        if not isinstance(stage, str) or not stage.strip():
            errors.append(f"{where}: stage: required (one of {', '.join(KNOWN_STAGES)} or your own name)")
            continue
        stage = stage.strip()
        if stage in seen:
            errors.append(f"{where}: stage {stage!r} appears twice; each stage is reached once per invoice")
        seen.add(stage)
        known = len(errors)
        offset = _int(item.get("offset_days"), f"{where}: offset_days", errors, None)
        # A wrong or missing offset is reported once, not again through the placeholder 0 standing for it.
        valid = len(errors) == known
        if valid and stage == PRE_DUE and offset >= 0:
            errors.append(f"{where}: a pre_due step needs a negative offset_days (days before the due date)")
        if valid and stage != PRE_DUE and offset < 0:
            errors.append(f"{where}: offset_days {offset} is before the due date; only pre_due steps may be")
        if valid and previous is not None and offset < previous:
            errors.append(f"{where}: offset_days {offset} is before the previous step's; list steps in order")
        if valid:
            previous = offset
        template = item.get("template", stage)
        if not isinstance(template, str) or not template.strip():
            errors.append(f"{where}: template: expected a template name")
            template = stage
        channel = item.get("channel", "email")
        if channel not in CHANNELS:
            errors.append(f"{where}: channel {channel!r} is not available (available: {', '.join(CHANNELS)})")
        approval = item.get("requires_approval", False)
        if not isinstance(approval, bool):
            errors.append(f"{where}: requires_approval: expected true or false")
        steps.append(
            Step(
                stage=stage,
                offset_days=offset,
                template=template.strip(),
                channel=str(channel),
                requires_approval=bool(approval),
                min_amount=_amount(item.get("min_amount", 0), f"{where}: min_amount", errors),
            )
        )
    return tuple(steps)


def _int(raw: Any, where: str, errors: list[str], minimum: int | None) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        errors.append(f"{where}: expected a whole number, got {raw!r}")
        return 0
    if minimum is not None and raw < minimum:
        errors.append(f"{where}: must be at least {minimum}, got {raw}")
    return raw


def _amount(raw: Any, where: str, errors: list[str]) -> Decimal:
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        errors.append(f"{where}: expected an amount like 50 or 49.90, got {raw!r}")
        return Decimal("0")
    if not value.is_finite() or value < 0:
        errors.append(f"{where}: expected a positive amount, got {raw!r}")
        return Decimal("0")
    return value


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """The JSON form stored in the database; parse_policy(policy_to_dict(p)) == p."""
    applies_to: dict[str, list[str]] = {}
    if policy.segments:
        applies_to["segments"] = sorted(policy.segments)
    if policy.tags:
        applies_to["tags"] = sorted(policy.tags)
    data: dict[str, Any] = {
        "name": policy.name,
        "min_days_between_messages": policy.min_days_between_messages,
        "business_days_only": policy.business_days_only,
        "min_amount": str(policy.min_amount),
        "steps": [
            {
                "stage": s.stage,
                "offset_days": s.offset_days,
                "template": s.template,
                "channel": s.channel,
                "requires_approval": s.requires_approval,
                "min_amount": str(s.min_amount),
            }
            for s in policy.steps
        ],
    }
    if applies_to:
        data["applies_to"] = applies_to
    return data


def choose_policy(policies: Iterable[Policy], segment: str, tags: Iterable[str], pinned: str = "") -> Policy:
    """The pinned policy if it exists, else the most specific match, else the workspace's default."""
    candidates = list(policies)
    by_name = {p.name: p for p in candidates}
    if pinned and pinned in by_name:
        return by_name[pinned]
    tag_set = set(tags)
    matching = [p for p in candidates if not p.is_default and p.matches(segment, tag_set)]
    if matching:
        return max(matching, key=lambda p: (p.specificity, p.name))
    defaults = [p for p in candidates if p.is_default]
    # Loading a policy without applies_to makes it the default: callers pass policies in load order,
    # so the last one loaded wins.
    return defaults[-1] if defaults else BUILTIN_DEFAULT
