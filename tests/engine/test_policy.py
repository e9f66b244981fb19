"""Policies: validation of the YAML a user writes, the stored JSON form, and which policy a customer gets."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.engine.errors import InvalidInput
from relance.engine.policy import (
    BUILTIN_DEFAULT,
    Policy,
    Step,
    choose_policy,
    parse_policy,
    policy_to_dict,
)
from tests.engine.strategies import policy_dicts

EXAMPLE_YAML = """
name: smb-standard
applies_to:
  segments: [smb]
  tags: [late-payer, new]
min_days_between_messages: 4
business_days_only: true
min_amount: 50
steps:
  - stage: pre_due
    offset_days: -3
    template: friendly-before-due
  - stage: first
    offset_days: 2
    template: first-reminder
  - stage: second
    offset_days: 10
    template: second-reminder
    min_amount: 100
  - stage: final
    offset_days: 20
    template: final-notice
    requires_approval: true
"""


SHIPPED_POLICIES = sorted(
    (Path(__file__).resolve().parents[2] / "relance" / "demo" / "policies").glob("*.yaml")
)


def example() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE_YAML)


def errors_of(data: Any) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_policy(data, source="policies/smb.yaml")
    return str(caught.value).splitlines()


def with_steps(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"name": "p", "steps": list(steps)}


# --- parse_policy accepts -------------------------------------------------------------------------------


def test_yaml_example_is_accepted_as_written() -> None:
    policy = parse_policy(example())

    assert policy.name == "smb-standard"
    assert policy.segments == frozenset({"smb"})
    assert policy.tags == frozenset({"late-payer", "new"})
    assert policy.min_days_between_messages == 4
    assert policy.business_days_only is True
    assert policy.min_amount == Decimal("50")
    assert policy.steps == (
        Step("pre_due", -3, "friendly-before-due"),
        Step("first", 2, "first-reminder"),
        Step("second", 10, "second-reminder", min_amount=Decimal("100")),
        Step("final", 20, "final-notice", requires_approval=True),
    )
    assert policy.steps[0].is_pre_due
    assert not any(step.is_pre_due for step in policy.steps[1:])


@pytest.mark.parametrize("path", SHIPPED_POLICIES, ids=lambda path: path.name)
def test_shipped_policy_files_are_accepted_and_round_trip(path: Path) -> None:
    policy = parse_policy(yaml.safe_load(path.read_text(encoding="utf-8")), source=path.name)

    assert parse_policy(policy_to_dict(policy)) == policy


def test_omitted_options_take_their_documented_defaults() -> None:
    policy = parse_policy(with_steps({"stage": "first", "offset_days": 3}))

    assert policy.steps == (Step("first", 3, "first", channel="email"),)
    assert policy.min_days_between_messages == 3
    assert policy.business_days_only is True
    assert policy.min_amount == Decimal("0")
    assert policy.is_default


def test_own_stage_names_and_equal_offsets_are_accepted() -> None:
    policy = parse_policy(
        with_steps(
            {"stage": "first", "offset_days": 0},
            {"stage": "phone-call", "offset_days": 0},
            {"stage": "final", "offset_days": 30},
        )
    )

    assert [step.stage for step in policy.steps] == ["first", "phone-call", "final"]


def test_names_and_templates_are_trimmed() -> None:
    policy = parse_policy(
        {"name": "  smb ", "steps": [{"stage": " first ", "offset_days": 3, "template": " t "}]}
    )

    assert policy.name == "smb"
    assert policy.steps[0].stage == "first"
    assert policy.steps[0].template == "t"


# --- parse_policy refuses, naming the field -------------------------------------------------------------


def test_unknown_policy_key_is_refused_by_name() -> None:
    data = example() | {"colour": "red"}

    assert errors_of(data) == [
        "policies/smb.yaml: unknown key 'colour' (allowed: applies_to, business_days_only, min_amount, "
        "min_days_between_messages, name, steps)"
    ]


def test_unknown_step_key_is_refused_with_the_step_number() -> None:
    data = example()
    data["steps"][1]["tone"] = "warm"

    [error] = errors_of(data)
    assert error.startswith("policies/smb.yaml: steps[2]: unknown key 'tone'")


def test_overdue_step_with_negative_offset_is_refused() -> None:
    errors = errors_of(with_steps({"stage": "first", "offset_days": -2}))

    assert errors == [
        "policies/smb.yaml: steps[1]: offset_days -2 is before the due date; only pre_due steps may be"
    ]


@pytest.mark.parametrize("offset", [0, 5])
def test_pre_due_step_without_a_negative_offset_is_refused(offset: int) -> None:
    errors = errors_of(
        with_steps({"stage": "pre_due", "offset_days": offset}, {"stage": "first", "offset_days": 7})
    )

    assert errors == [
        "policies/smb.yaml: steps[1]: a pre_due step needs a negative offset_days (days before the due date)"
    ]


def test_steps_out_of_order_are_refused() -> None:
    errors = errors_of(
        with_steps(
            {"stage": "first", "offset_days": 10},
            {"stage": "second", "offset_days": 2},
        )
    )

    assert errors == [
        "policies/smb.yaml: steps[2]: offset_days 2 is before the previous step's; list steps in order"
    ]


def test_pre_due_step_after_an_overdue_step_is_refused() -> None:
    errors = errors_of(
        with_steps({"stage": "first", "offset_days": 2}, {"stage": "pre_due", "offset_days": -3})
    )

    assert errors == [
        "policies/smb.yaml: steps[2]: offset_days -3 is before the previous step's; list steps in order"
    ]


def test_duplicate_stage_is_refused() -> None:
    errors = errors_of(with_steps({"stage": "first", "offset_days": 2}, {"stage": "first", "offset_days": 9}))

    assert errors == [
        "policies/smb.yaml: steps[2]: stage 'first' appears twice; each stage is reached once per invoice"
    ]


@pytest.mark.parametrize("steps", [None, [], "first", {"stage": "first"}])
def test_missing_or_empty_steps_are_refused(steps: Any) -> None:
    data = {"name": "p"} if steps is None else {"name": "p", "steps": steps}

    assert errors_of(data) == ["policies/smb.yaml: steps: required, a non-empty list"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", 3, "name: required, a non-empty text"),
        ("name", "  ", "name: required, a non-empty text"),
        ("min_days_between_messages", "3", "min_days_between_messages: expected a whole number, got '3'"),
        ("min_days_between_messages", True, "min_days_between_messages: expected a whole number, got True"),
        ("min_days_between_messages", 2.5, "min_days_between_messages: expected a whole number, got 2.5"),
        ("min_days_between_messages", 0, "min_days_between_messages: must be at least 1, got 0"),
        ("business_days_only", "yes", "business_days_only: expected true or false, got 'yes'"),
        ("min_amount", "abc", "min_amount: expected an amount like 50 or 49.90, got 'abc'"),
        ("min_amount", -5, "min_amount: expected a positive amount, got -5"),
        ("min_amount", "NaN", "min_amount: expected a positive amount, got 'NaN'"),
        ("applies_to", ["smb"], "applies_to: expected {segments: [...], tags: [...]}"),
        ("applies_to", {"sector": ["it"]}, "applies_to: expected {segments: [...], tags: [...]}"),
    ],
)
def test_policy_field_of_the_wrong_type_is_refused_by_name(field: str, value: Any, message: str) -> None:
    data = example() | {field: value}

    assert errors_of(data) == [f"policies/smb.yaml: {message}"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("offset_days", "2", "offset_days: expected a whole number, got '2'"),
        ("offset_days", 2.0, "offset_days: expected a whole number, got 2.0"),
        ("template", 7, "template: expected a template name"),
        ("template", "", "template: expected a template name"),
        ("channel", "sms", "channel 'sms' is not available (available: email)"),
        ("requires_approval", "yes", "requires_approval: expected true or false"),
        ("min_amount", "lots", "min_amount: expected an amount like 50 or 49.90, got 'lots'"),
    ],
)
def test_step_field_of_the_wrong_type_is_refused_by_name(field: str, value: Any, message: str) -> None:
    data = example()
    data["steps"][2][field] = value

    assert f"policies/smb.yaml: steps[3]: {message}" in errors_of(data)


@pytest.mark.parametrize("stage", ["pre_due", "second"])
def test_offset_of_the_wrong_type_is_reported_once(stage: str) -> None:
    # No second error about a value the user never wrote (the placeholder used after the first error).
    errors = errors_of(
        with_steps({"stage": "first", "offset_days": 10}, {"stage": stage, "offset_days": "3"})
    )

    assert errors == ["policies/smb.yaml: steps[2]: offset_days: expected a whole number, got '3'"]


def test_missing_offset_is_refused() -> None:
    assert errors_of(with_steps({"stage": "first"})) == [
        "policies/smb.yaml: steps[1]: offset_days: expected a whole number, got None"
    ]


@pytest.mark.parametrize("stage", [None, "", 3])
def test_step_without_a_stage_is_refused(stage: Any) -> None:
    [error] = errors_of(with_steps({"stage": stage, "offset_days": 3}))

    assert error.startswith("policies/smb.yaml: steps[1]: stage: required")


def test_step_that_is_not_a_mapping_is_refused() -> None:
    assert errors_of(with_steps({"stage": "first", "offset_days": 3}, "second")) == [  # type: ignore[arg-type]
        "policies/smb.yaml: steps[2]: expected a mapping with stage, offset_days and template"
    ]


@pytest.mark.parametrize("data", [None, "name: p", ["first"]])
def test_policy_that_is_not_a_mapping_is_refused(data: Any) -> None:
    assert errors_of(data) == ["policies/smb.yaml: a policy is a mapping with name and steps"]


def test_every_problem_is_reported_at_once() -> None:
    data = {
        "name": "",
        "colour": "red",
        "min_days_between_messages": -1,
        "steps": [
            {"stage": "pre_due", "offset_days": 3},
            {"stage": "first", "offset_days": -1, "tone": "warm"},
            {"stage": "second", "offset_days": 10},
            {"stage": "second", "offset_days": 20},
            {"stage": "final", "offset_days": 15, "channel": "fax"},
        ],
    }

    errors = errors_of(data)

    assert all(error.startswith("policies/smb.yaml: ") for error in errors)
    expected_fragments = [
        "unknown key 'colour'",
        "name: required",
        "min_days_between_messages: must be at least 1, got -1",
        "steps[1]: a pre_due step needs a negative offset_days",
        "steps[2]: unknown key 'tone'",
        "steps[2]: offset_days -1 is before the due date",
        "steps[4]: stage 'second' appears twice",
        "steps[5]: offset_days 15 is before the previous step's",
        "steps[5]: channel 'fax' is not available",
    ]
    for fragment in expected_fragments:
        assert any(fragment in error for error in errors), fragment


# --- policy_to_dict ---------------------------------------------------------------------------------------


def test_yaml_example_round_trips_through_the_stored_form() -> None:
    policy = parse_policy(example())

    stored = policy_to_dict(policy)

    assert parse_policy(stored) == policy
    assert stored["applies_to"] == {"segments": ["smb"], "tags": ["late-payer", "new"]}
    assert stored["steps"][3]["requires_approval"] is True


def test_default_policy_is_stored_without_applies_to() -> None:
    stored = policy_to_dict(parse_policy(with_steps({"stage": "first", "offset_days": 3})))

    assert "applies_to" not in stored


def test_builtin_default_round_trips() -> None:
    assert parse_policy(policy_to_dict(BUILTIN_DEFAULT)) == BUILTIN_DEFAULT


@settings(max_examples=150, deadline=None)
@given(policy_dicts())
def test_any_valid_policy_round_trips_through_the_stored_form(data: dict[str, Any]) -> None:
    policy = parse_policy(data)

    stored = policy_to_dict(policy)

    assert parse_policy(stored) == policy
    assert policy_to_dict(parse_policy(stored)) == stored


# --- choose_policy ----------------------------------------------------------------------------------------


def make(name: str, segments: tuple[str, ...] = (), tags: tuple[str, ...] = ()) -> Policy:
    return Policy(
        name=name,
        steps=(Step("first", 3, "first"),),
        segments=frozenset(segments),
        tags=frozenset(tags),
    )


def test_without_any_policy_the_builtin_default_applies() -> None:
    assert choose_policy([], "smb", ["late-payer"]) is BUILTIN_DEFAULT


def test_pinned_policy_wins_over_a_more_specific_match() -> None:
    specific = make("smb-late", segments=("smb",), tags=("late-payer",))
    pinned = make("gentle", segments=("enterprise",))

    assert choose_policy([specific, pinned], "smb", ["late-payer"], pinned="gentle") is pinned


def test_pin_to_a_missing_policy_falls_back_to_matching() -> None:
    smb = make("smb", segments=("smb",))

    assert choose_policy([smb], "smb", [], pinned="deleted") is smb


def test_policy_for_another_segment_does_not_apply() -> None:
    enterprise = make("enterprise", segments=("enterprise",))
    vip = make("vip", tags=("vip",))

    assert choose_policy([enterprise, vip], "smb", ["late-payer"]) is BUILTIN_DEFAULT


def test_segment_and_tag_match_beats_segment_only_match() -> None:
    smb = make("a-smb", segments=("smb",))
    smb_late = make("b-smb-late", segments=("smb",), tags=("late-payer",))

    assert choose_policy([smb_late, smb], "smb", ["late-payer"]) is smb_late
    assert choose_policy([smb, smb_late], "smb", ["late-payer"]) is smb_late


def test_segment_match_beats_tag_only_match() -> None:
    smb = make("smb", segments=("smb",))
    late = make("z-late", tags=("late-payer",))

    assert choose_policy([late, smb], "smb", ["late-payer"]) is smb


def test_tag_match_beats_the_default() -> None:
    default = make("house-default")
    late = make("late", tags=("late-payer", "new"))

    assert choose_policy([default, late], "smb", ["new"]) is late


def test_policy_for_one_segment_beats_a_policy_for_several() -> None:
    # Listing more segments (or tags) widens a policy: any one of them matches. The narrower one wins.
    smb_only = make("a-smb", segments=("smb",))
    smb_or_mid = make("b-smb-or-mid", segments=("smb", "mid-market", "enterprise"))

    assert choose_policy([smb_only, smb_or_mid], "smb", []) is smb_only
    assert choose_policy([smb_or_mid, smb_only], "smb", []) is smb_only


def test_policy_for_one_tag_beats_a_policy_for_several() -> None:
    late_only = make("a-late", tags=("late-payer",))
    late_or_new = make("b-late-or-new", tags=("late-payer", "new"))

    assert choose_policy([late_only, late_or_new], "smb", ["late-payer", "new"]) is late_only


def test_segment_and_tag_beats_a_list_of_segments() -> None:
    smb_late = make("a-smb-late", segments=("smb",), tags=("late-payer",))
    many = make("b-many", segments=("smb", "mid-market", "enterprise"))

    assert choose_policy([smb_late, many], "smb", ["late-payer"]) is smb_late


def test_loaded_default_replaces_the_builtin_default() -> None:
    house = make("house")
    smb = make("smb", segments=("smb",))

    assert choose_policy([house, smb], "enterprise", []) is house


def test_last_loaded_default_wins() -> None:
    old, new = make("old-default"), make("new-default")

    assert choose_policy([old, new], "smb", []) is new
    assert choose_policy([new, old], "smb", []) is old


def test_loaded_default_does_not_beat_a_matching_policy() -> None:
    smb = make("smb", segments=("smb",))
    house = make("house")

    assert choose_policy([smb, house], "smb", []) is smb


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(["smb", "mid", "ent"]), max_size=2, unique=True),
            st.lists(st.sampled_from(["late", "new", "vip"]), max_size=2, unique=True),
        ),
        max_size=5,
    ),
    st.sampled_from(["smb", "mid", "ent"]),
    st.lists(st.sampled_from(["late", "new", "vip"]), unique=True),
)
def test_chosen_policy_always_matches_the_customer(
    shapes: list[tuple[list[str], list[str]]], segment: str, tags: list[str]
) -> None:
    policies = [make(f"p{n}", tuple(segs), tuple(tgs)) for n, (segs, tgs) in enumerate(shapes)]

    chosen = choose_policy(policies, segment, tags)

    assert chosen.is_default or chosen.matches(segment, tags)
    if any(not p.is_default and p.matches(segment, tags) for p in policies):
        assert not chosen.is_default
