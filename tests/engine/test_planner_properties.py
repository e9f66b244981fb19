"""The daily run's promises, checked over random ledgers, policies and run calendars.

Each example is a few customers with random invoices, payments, voids, holds and disputes, each customer on a
random valid policy, and a random set of days on which the run happens (the others are outages). The
simulator plans every run day and applies what was planned; the properties are checked on the whole history.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import holidays
from hypothesis import given, settings

from relance.engine.planner import CustomerState, PlannedMessage, plan_run
from relance.engine.policy import Policy
from tests.engine.strategies import (
    CALENDAR,
    LedgerCustomer,
    Scenario,
    Trace,
    run_days_with_outage,
    scenarios,
    simulate,
)

SETTINGS = settings(max_examples=150, deadline=None)
FRENCH_HOLIDAYS = holidays.country_holidays("FR", years=range(2025, 2028))


def customers_by_key(scenario: Scenario) -> dict[int, LedgerCustomer]:
    return {customer.key: customer for customer in scenario.customers}


def overdue_stages(policy: Policy) -> list[str]:
    return [step.stage for step in policy.steps if step.offset_days >= 0]


def expected_next_index(policy: Policy, due_date: date, reached: frozenset[str], day: date) -> int | None:
    """The step an invoice should get on `day`: the first one after the last reached, pre-due steps dropped
    once the due date has come; None when that step's day has not come yet or every step is done."""
    done = [index for index, step in enumerate(policy.steps) if step.stage in reached]
    for index in range(max(done, default=-1) + 1, len(policy.steps)):
        step = policy.steps[index]
        if step.offset_days < 0 and day >= due_date:
            continue
        return index if day >= due_date + timedelta(days=step.offset_days) else None
    return None


def may_write(state: CustomerState, day: date) -> bool:
    """Not excluded, past the minimum gap, and on an allowed day."""
    policy = state.policy
    if state.excluded:
        return False
    last = state.last_message_date
    if last is not None and (day - last).days < policy.min_days_between_messages:
        return False
    return not policy.business_days_only or (day.weekday() < 5 and day not in FRENCH_HOLIDAYS)


def expected_items(state: CustomerState, customer: LedgerCustomer, day: date) -> dict[int, int]:
    """Invoice key -> step index that a message to this customer on `day` must carry (empty: no message)."""
    if not may_write(state, day):
        return {}
    policy = customer.policy
    due: dict[int, int] = {}
    amounts: dict[int, Decimal] = {}
    for ledger_invoice, invoice in zip(customer.invoices, state.invoices, strict=True):
        if not ledger_invoice.chaseable_on(day):
            continue
        index = expected_next_index(policy, ledger_invoice.due_date, invoice.reached, day)
        if index is not None:
            due[invoice.key] = index
            amounts[invoice.key] = ledger_invoice.amount
    total = sum(amounts.values(), Decimal("0"))
    if total < policy.min_amount:
        return {}
    # A step with a minimum amount waits while the customer's total is below it.
    return {key: index for key, index in due.items() if total >= policy.steps[index].min_amount}


def message_items(message: PlannedMessage) -> dict[int, int]:
    return {item.invoice.key: item.step_index for item in message.items}


# --- never chase what must not be chased --------------------------------------------------------------------


@SETTINGS
@given(scenarios())
def test_paid_void_held_or_disputed_invoice_is_never_chased(scenario: Scenario) -> None:
    trace = simulate(scenario)
    ledger = {inv.key: inv for customer in scenario.customers for inv in customer.invoices}

    for day, message in trace.sent():
        for item in message.items:
            assert ledger[item.invoice.key].chaseable_on(day), (day, item.invoice.key)
        for invoice in message.upcoming:
            assert ledger[invoice.key].chaseable_on(day), (day, invoice.key)


@SETTINGS
@given(scenarios())
def test_excluded_customer_gets_nothing(scenario: Scenario) -> None:
    trace = simulate(scenario)
    excluded = {customer.key for customer in scenario.customers if customer.excluded}

    assert not [message for _, message in trace.sent() if message.customer_key in excluded]


@SETTINGS
@given(scenarios())
def test_pre_due_step_never_goes_out_on_or_after_the_due_date(scenario: Scenario) -> None:
    trace = simulate(scenario)

    for day, message in trace.sent():
        for item in message.items:
            if item.step.offset_days < 0:
                assert day < item.invoice.due_date
            assert day >= item.invoice.due_date + timedelta(days=item.step.offset_days)


@SETTINGS
@given(scenarios())
def test_business_days_only_means_no_message_on_weekends_or_french_holidays(scenario: Scenario) -> None:
    trace = simulate(scenario)

    for day, message in trace.sent():
        if message.policy.business_days_only:
            assert day.weekday() < 5, day
            assert day not in FRENCH_HOLIDAYS, day


# --- stages: each once, in order, none skipped ------------------------------------------------------------


@SETTINGS
@given(scenarios())
def test_no_invoice_receives_the_same_stage_twice(scenario: Scenario) -> None:
    trace = simulate(scenario)

    for invoice_key, stages in trace.stages_by_invoice().items():
        assert len(stages) == len(set(stages)), (invoice_key, stages)


@SETTINGS
@given(scenarios())
def test_overdue_stages_are_never_skipped(scenario: Scenario) -> None:
    trace = simulate(scenario)
    policy_of = {inv.key: c.policy for c in scenario.customers for inv in c.invoices}

    for invoice_key, stages in trace.stages_by_invoice().items():
        overdue = [stage for stage in stages if stage != "pre_due"]
        policy_stages = overdue_stages(policy_of[invoice_key])
        assert overdue == policy_stages[: len(overdue)], (invoice_key, overdue, policy_stages)


@SETTINGS
@given(scenarios())
def test_message_stage_is_the_most_advanced_stage_among_its_invoices(scenario: Scenario) -> None:
    trace = simulate(scenario)

    for _, message in trace.sent():
        most_advanced = max(item.step_index for item in message.items)
        assert message.step is message.policy.steps[most_advanced]
        assert message.escalates == (most_advanced == len(message.policy.steps) - 1)


# --- pacing: one message at a time, with the minimum gap -------------------------------------------------


@SETTINGS
@given(scenarios())
def test_at_most_one_message_per_customer_per_day(scenario: Scenario) -> None:
    trace = simulate(scenario)

    for run in trace.runs:
        per_customer = Counter(message.customer_key for message in run.messages)
        assert all(count == 1 for count in per_customer.values()), (run.day, per_customer)


@SETTINGS
@given(scenarios())
def test_minimum_gap_between_messages_of_a_customer_holds(scenario: Scenario) -> None:
    trace = simulate(scenario)

    for customer in scenario.customers:
        days = [day for day, _ in trace.sent_to(customer.key)]
        gaps = [(later - earlier).days for earlier, later in pairwise(days)]
        assert all(gap >= customer.policy.min_days_between_messages for gap in gaps), (days, customer.policy)


@SETTINGS
@given(scenarios())
def test_rerunning_the_same_day_adds_nothing(scenario: Scenario) -> None:
    trace = simulate(scenario, rerun=True)

    for run in trace.runs:
        assert run.rerun == [], run.day


@SETTINGS
@given(scenarios())
def test_planning_the_same_states_again_gives_the_same_messages(scenario: Scenario) -> None:
    trace = simulate(scenario)

    for run in trace.runs:
        assert list(plan_run(run.states.values(), run.day, CALENDAR)) == run.messages, run.day


# --- catching up after missed days ------------------------------------------------------------------------


def check_one_message_at_the_next_stage(trace: Trace, day_filter: set[date] | None = None) -> int:
    """Every customer the run may write to gets exactly the due invoices, each at its next step; returns
    how many (day, customer) pairs expected a message."""
    customers = customers_by_key(trace.scenario)
    expected_messages = 0
    for run in trace.runs:
        if day_filter is not None and run.day not in day_filter:
            continue
        sent = {message.customer_key: message for message in run.messages}
        for key, state in run.states.items():
            expected = expected_items(state, customers[key], run.day)
            actual = message_items(sent[key]) if key in sent else {}
            assert actual == expected, (run.day, key, expected, actual)
            expected_messages += bool(expected)
    return expected_messages


@SETTINGS
@given(scenarios())
def test_run_sends_every_due_step_and_nothing_else(scenario: Scenario) -> None:
    check_one_message_at_the_next_stage(simulate(scenario))


@SETTINGS
@given(scenarios(run_days=run_days_with_outage))
def test_after_missed_days_each_customer_gets_one_message_at_its_next_stage(scenario: Scenario) -> None:
    trace = simulate(scenario)
    missed = set(scenario.days()) - scenario.run_days
    resume_days = {run.day for run in trace.runs if run.day - timedelta(days=1) in missed}

    # Exactly one message per customer with something due, each invoice at its next step: no jump.
    check_one_message_at_the_next_stage(trace, resume_days)
    # And no burst: nothing more to that customer until the minimum gap has passed.
    for resume in resume_days:
        for customer in scenario.customers:
            days = [day for day, _ in trace.sent_to(customer.key) if day >= resume]
            if days and days[0] == resume:
                gap = customer.policy.min_days_between_messages
                assert [day for day in days[1:] if (day - resume).days < gap] == [], resume


# --- the simulator itself must not hide the properties ----------------------------------------------------


def test_random_scenarios_exercise_every_rule() -> None:
    """Guard against vacuous properties: the generated histories do send, group, escalate, catch up after
    missed days, wait for the gap and stop for paid or held invoices."""
    seen = Counter[str]()

    @settings(max_examples=150, deadline=None, database=None)
    @given(scenarios())
    def collect(scenario: Scenario) -> None:
        trace = simulate(scenario)
        ledger = {inv.key: inv for customer in scenario.customers for inv in customer.invoices}
        for day, message in trace.sent():
            seen["message"] += 1
            seen["grouped"] += len(message.items) > 1
            seen["escalates"] += message.escalates
            seen["pre_due"] += message.stage == "pre_due"
            seen["upcoming"] += bool(message.upcoming)
            for item in message.items:
                following = message.policy.steps[item.step_index + 1 : item.step_index + 2]
                # Several offsets had passed, yet only the next stage went out.
                seen["caught up"] += any(
                    day >= item.invoice.due_date + timedelta(s.offset_days) for s in following
                )
        for run in trace.runs:
            for state in run.states.values():
                due = any(
                    i.chaseable
                    and expected_next_index(state.policy, i.due_date, i.reached, run.day) is not None
                    for i in state.invoices
                )
                seen["waited"] += due and not state.excluded and not may_write(state, run.day)
                seen["stopped"] += any(
                    not ledger[i.key].chaseable_on(run.day)
                    and i.reached
                    and len(i.reached) < len(state.policy.steps)
                    for i in state.invoices
                )

    collect()
    kinds = ("grouped", "escalates", "pre_due", "upcoming", "caught up", "waited", "stopped")
    assert seen["message"] > 200, seen
    assert all(seen[kind] > 0 for kind in kinds), seen
