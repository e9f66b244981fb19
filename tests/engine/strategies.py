"""Hypothesis strategies for the engine, and a day-by-day simulator of the daily run.

The simulator plays the part of the ledger and the outbox: on each run day it builds the customers' states
from a small in-memory ledger (payments, voids, holds), asks the planner what to send, then applies every
planned message (stages reached, last message date) before the next day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from relance.engine.calendar import BusinessCalendar
from relance.engine.planner import CustomerState, InvoiceState, PlannedMessage, plan_run
from relance.engine.policy import Policy, parse_policy

OVERDUE_STAGES = ("first", "second", "final", "payment_plan", "legal-notice")
SEGMENTS = ("smb", "mid-market", "enterprise")
TAGS = ("late-payer", "new", "vip")
CALENDAR = BusinessCalendar("FR")
# Most steps use the defaults; some wait for a minimum amount, need approval or name their own template.
STEP_OPTIONS: st.SearchStrategy[dict[str, Any]] = st.sampled_from(
    [
        {},
        {},
        {},
        {},
        {"min_amount": "100"},
        {"min_amount": "3000"},
        {"requires_approval": True},
        {"template": "house-style", "channel": "email"},
        {"min_amount": "750.50", "requires_approval": True},
    ]
)


# --- policies ---------------------------------------------------------------------------------------------


@st.composite
def policy_dicts(draw: st.DrawFn, name: str = "", applies_to: bool = True) -> dict[str, Any]:
    """A valid policy as a user would write it in YAML: optional pre_due, then overdue steps in order."""
    steps: list[dict[str, Any]] = []
    if draw(st.booleans()):
        steps.append({"stage": "pre_due", "offset_days": draw(st.integers(-10, -1))})
    count = draw(st.integers(0 if steps else 1, len(OVERDUE_STAGES)))
    stages = draw(st.permutations(OVERDUE_STAGES))[:count]
    offsets = sorted(draw(st.lists(st.integers(0, 40), min_size=count, max_size=count)))
    steps.extend(
        {"stage": stage, "offset_days": offset} for stage, offset in zip(stages, offsets, strict=True)
    )
    for step in steps:
        step.update(draw(STEP_OPTIONS))
    data: dict[str, Any] = {
        "name": name or draw(st.sampled_from(["default", "smb", "strict", "gentle"])),
        "min_days_between_messages": draw(st.integers(1, 10)),
        "business_days_only": draw(st.booleans()),
        "steps": steps,
    }
    if draw(st.integers(0, 4)) == 0:
        data["min_amount"] = draw(st.sampled_from(["0", "50", "1500"]))
    if applies_to:
        segments = draw(st.lists(st.sampled_from(SEGMENTS), max_size=2, unique=True))
        tags = draw(st.lists(st.sampled_from(TAGS), max_size=2, unique=True))
        if segments or tags:
            data["applies_to"] = {"segments": segments, "tags": tags}
    return data


def policies(name: str = "", applies_to: bool = True) -> st.SearchStrategy[Policy]:
    return policy_dicts(name, applies_to).map(parse_policy)


# --- ledgers ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerInvoice:
    key: int
    due_date: date
    amount: Decimal
    # Paid in full or voided on this day: not chaseable from then on.
    closed_on: date | None = None
    # Holds and disputes, as [start, until): on `until` the invoice is eligible again.
    holds: tuple[tuple[date, date], ...] = ()

    def chaseable_on(self, day: date) -> bool:
        if self.closed_on is not None and day >= self.closed_on:
            return False
        return not any(start <= day < until for start, until in self.holds)


@dataclass(frozen=True)
class LedgerCustomer:
    key: int
    policy: Policy
    invoices: tuple[LedgerInvoice, ...]
    excluded: bool = False


@dataclass(frozen=True)
class Scenario:
    customers: tuple[LedgerCustomer, ...]
    first_day: date
    last_day: date
    run_days: frozenset[date]

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]


def _day(first: date, offset: int) -> date:
    return first + timedelta(days=offset)


@st.composite
def ledger_invoices(draw: st.DrawFn, key: int, first: date, span: int) -> LedgerInvoice:
    due = _day(first, draw(st.integers(-45, span + 10)))
    amount = Decimal(draw(st.integers(1, 500_000))) / 100
    # Paid or voided during the period about one time in three.
    closed = draw(st.integers(-2 * span, span))
    closed_on = _day(first, closed) if closed >= 0 else None
    holds = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(st.integers(-5, span))
        holds.append((_day(first, start), _day(first, start + draw(st.integers(1, 30)))))
    return LedgerInvoice(key=key, due_date=due, amount=amount, closed_on=closed_on, holds=tuple(holds))


def every_day(first: date, span: int) -> st.SearchStrategy[frozenset[date]]:
    return st.just(frozenset(_day(first, n) for n in range(span)))


def random_run_days(first: date, span: int) -> st.SearchStrategy[frozenset[date]]:
    """The run happens on most days: a few scattered days are missed, sometimes a whole stretch too."""

    @st.composite
    def build(draw: st.DrawFn) -> frozenset[date]:
        missed = set(draw(st.lists(st.integers(0, span - 1), max_size=span // 3)))
        if draw(st.booleans()):
            start = draw(st.integers(0, span - 1))
            missed.update(range(start, start + draw(st.integers(2, 30))))
        return frozenset(_day(first, n) for n in range(span) if n not in missed)

    return build()


def run_days_with_outage(first: date, span: int) -> st.SearchStrategy[frozenset[date]]:
    """Every day, except one outage of several days to several weeks."""

    @st.composite
    def build(draw: st.DrawFn) -> frozenset[date]:
        start = draw(st.integers(0, span - 10))
        length = draw(st.integers(2, min(45, span - start - 1)))
        return frozenset(_day(first, n) for n in range(span) if not start <= n < start + length)

    return build()


@st.composite
def scenarios(
    draw: st.DrawFn,
    run_days: Any = random_run_days,
    max_customers: int = 4,
    max_invoices: int = 4,
) -> Scenario:
    first = _day(date(2026, 1, 1), draw(st.integers(0, 330)))
    span = draw(st.integers(40, 90))
    keys = iter(range(1, 1000))
    # Customers share one or two policies: each policy is still random, and generation stays quick.
    shared = draw(st.lists(policies(applies_to=False), min_size=1, max_size=2))
    customers = []
    for customer_key in range(1, draw(st.integers(1, max_customers)) + 1):
        count = draw(st.integers(1, max_invoices))
        invoices = tuple(draw(ledger_invoices(next(keys), first, span)) for _ in range(count))
        customers.append(
            LedgerCustomer(
                key=customer_key,
                policy=draw(st.sampled_from(shared)),
                invoices=invoices,
                excluded=draw(st.integers(0, 4)) == 0,
            )
        )
    return Scenario(
        customers=tuple(customers),
        first_day=first,
        last_day=_day(first, span - 1),
        run_days=draw(run_days(first, span)),
    )


# --- the simulator ----------------------------------------------------------------------------------------


@dataclass
class RunRecord:
    day: date
    # What the planner was shown, by customer key.
    states: dict[int, CustomerState]
    messages: list[PlannedMessage]
    # What a second run the same day planned, after the first one's messages were applied (with `rerun`).
    rerun: list[PlannedMessage]


@dataclass
class Trace:
    scenario: Scenario
    runs: list[RunRecord] = field(default_factory=list)

    def sent(self) -> list[tuple[date, PlannedMessage]]:
        return [(run.day, message) for run in self.runs for message in run.messages]

    def sent_to(self, customer_key: int) -> list[tuple[date, PlannedMessage]]:
        return [(day, message) for day, message in self.sent() if message.customer_key == customer_key]

    def stages_by_invoice(self) -> dict[int, list[str]]:
        stages: dict[int, list[str]] = defaultdict(list)
        for _, message in self.sent():
            for item in message.items:
                stages[item.invoice.key].append(item.step.stage)
        return stages


def customer_state(
    customer: LedgerCustomer, day: date, reached: dict[int, set[str]], last: dict[int, date]
) -> CustomerState:
    invoices = tuple(
        InvoiceState(
            key=inv.key,
            number=f"INV-{inv.key:04d}",
            due_date=inv.due_date,
            outstanding=inv.amount,
            currency="EUR",
            chaseable=inv.chaseable_on(day),
            reached=frozenset(reached[inv.key]),
        )
        for inv in customer.invoices
    )
    return CustomerState(
        key=customer.key,
        policy=customer.policy,
        invoices=invoices,
        excluded=customer.excluded,
        last_message_date=last.get(customer.key),
    )


def simulate(scenario: Scenario, calendar: BusinessCalendar = CALENDAR, rerun: bool = False) -> Trace:
    """Plan every run day of the scenario and apply the messages; with `rerun`, plan each day a second time
    after applying its messages, as a run started twice the same day would."""
    reached: dict[int, set[str]] = defaultdict(set)
    last: dict[int, date] = {}
    trace = Trace(scenario)
    for day in scenario.days():
        if day not in scenario.run_days:
            continue
        states = {c.key: customer_state(c, day, reached, last) for c in scenario.customers}
        messages = list(plan_run(states.values(), day, calendar))
        for message in messages:
            last[message.customer_key] = day
            for item in message.items:
                reached[item.invoice.key].add(item.step.stage)
        again: list[PlannedMessage] = []
        if rerun:
            states_after = [customer_state(c, day, reached, last) for c in scenario.customers]
            again = list(plan_run(states_after, day, calendar))
        trace.runs.append(RunRecord(day, states, messages, again))
    return trace
