"""What the daily run is about to do, without doing it: the next run's messages, and a policy's impact.

Both plan with the run's own pieces (the ledger snapshot, the engine's planner, the business calendar) and
write nothing. They stop before rendering: `do_simulate` also composes every message (templates, HTML),
which a web page asking "how many, for how much" does not need and cannot wait for. The planning half is
the same as do_simulate's, step for step: load the snapshot once for the period, plan each day with the
history so far, record what that day would send, move to the next day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from relance.accounts.models import Workspace
from relance.core.gcpause import gc_paused
from relance.dunning.actions import plan_day
from relance.dunning.snapshot import load_snapshot
from relance.engine.calendar import BusinessCalendar
from relance.engine.planner import PlannedMessage, plan_run
from relance.engine.policy import BUILTIN_DEFAULT
from relance.ledger.models import Customer
from relance.tracking.versions import PLANNING, memoize

PREVIEW_ROWS = 20
IMPACT_DAYS = 14
MAX_IMPACT_DAYS = 60


def calendar_of(workspace: Workspace) -> BusinessCalendar:
    return BusinessCalendar(workspace.country)


def next_business_day(workspace: Workspace, today: date) -> date:
    """The first business day after `today` in the workspace's country (weekends and public holidays)."""
    return calendar_of(workspace).next_business_day(today)


@dataclass(frozen=True)
class PreviewRow:
    customer_id: int
    customer_key: str
    customer_name: str
    recipient: str
    stage: str
    invoices: int
    amount: Decimal
    currency: str
    requires_approval: bool


@dataclass(frozen=True)
class NextRun:
    day: date
    count: int
    totals: dict[str, Decimal]  # by currency
    by_stage: dict[str, int]
    awaiting_approval: int
    rows: list[PreviewRow]


def next_run(workspace: Workspace, today: date, limit: int = PREVIEW_ROWS) -> NextRun:
    """The messages the run of the next business day would create, as the ledger stands: plan_day, which
    reads and writes nothing else. The first `limit` (by amount, largest first) come with their customer."""
    day = next_business_day(workspace, today)
    planned = plan_day(workspace, day)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    by_stage: dict[str, int] = defaultdict(int)
    for message in planned:
        for currency, amount in message.totals().items():
            totals[currency] += amount
        by_stage[message.stage] += 1
    first = sorted(planned, key=lambda m: (-_amount(m), m.customer_key))[:limit]
    customers = Customer.objects.in_bulk([m.customer_key for m in first])
    rows = []
    for message in first:
        customer = customers[message.customer_key]
        currency, amount = _main_total(message)
        rows.append(
            PreviewRow(
                customer_id=customer.pk,
                customer_key=customer.external_id,
                customer_name=customer.name,
                recipient=customer.email,
                stage=message.stage,
                invoices=len(message.items),
                amount=amount,
                currency=currency,
                requires_approval=message.requires_approval,
            )
        )
    return NextRun(
        day=day,
        count=len(planned),
        totals=dict(totals),
        by_stage=dict(by_stage),
        awaiting_approval=sum(1 for m in planned if m.requires_approval),
        rows=rows,
    )


def preview_next_run(workspace: Workspace, today: date, limit: int = PREVIEW_ROWS) -> NextRun:
    """next_run, memoized under the versions of what the run reads (relance.tracking.versions): the first
    request after a change of the ledger or the outbox plans, the next ones read the plan."""
    return memoize(workspace, "next_run", PLANNING, (today, limit), lambda: next_run(workspace, today, limit))


def _amount(message: PlannedMessage) -> Decimal:
    return sum(message.totals().values(), Decimal("0"))


def _main_total(message: PlannedMessage) -> tuple[str, Decimal]:
    totals = message.totals()
    currency = max(totals, key=lambda c: (totals[c], c))
    return currency, totals[currency]


@dataclass
class StageImpact:
    customers: int = 0
    invoices: int = 0
    amounts: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    @property
    def amount(self) -> Decimal:
        return sum(self.amounts.values(), Decimal("0"))


@dataclass(frozen=True)
class DayImpact:
    day: date
    stages: dict[str, StageImpact]

    @property
    def customers(self) -> int:
        return sum(s.customers for s in self.stages.values())


@dataclass(frozen=True)
class Impact:
    policy: str
    first: date
    last: date
    days: list[DayImpact]
    stages: list[str]  # the policy's stages, in order

    def total(self, stage: str) -> StageImpact:
        found = StageImpact()
        for day in self.days:
            if stage in day.stages:
                found.customers += day.stages[stage].customers
                found.invoices += day.stages[stage].invoices
                for currency, amount in day.stages[stage].amounts.items():
                    found.amounts[currency] += amount
        return found


def impact(workspace: Workspace, policy_name: str, today: date, days: int = IMPACT_DAYS) -> Impact:
    """Per day of [today + 1, today + days] and per stage, the messages the runs would send to customers
    under the policy `policy_name` (customers and the amount they owe on the invoices in them), as the
    simulation plans them: each day sees what the days before it would have sent. Nothing is written."""
    days = max(1, min(days, MAX_IMPACT_DAYS))
    first, last = today + timedelta(days=1), today + timedelta(days=days)
    calendar = calendar_of(workspace)
    with gc_paused():
        snapshot = load_snapshot(workspace, first, last, history_before=first)
        # Each customer is planned on its own, under the policy its segment, tags or pin choose: the other
        # policies' customers change nothing to this one's, so only this policy's are planned.
        snapshot = replace(
            snapshot,
            invoices_by_customer={
                customer_id: invoices
                for customer_id, invoices in snapshot.invoices_by_customer.items()
                if snapshot.policy_for(snapshot.customers[customer_id]).name == policy_name
            },
        )
    history = snapshot.history
    policy = next((p for p in reversed(snapshot.policies) if p.name == policy_name), None)
    if policy is None and policy_name == BUILTIN_DEFAULT.name:
        policy = BUILTIN_DEFAULT
    stages = [step.stage for step in policy.steps] if policy else []
    found: list[DayImpact] = []
    day = first
    while day <= last:
        with gc_paused():
            planned = list(plan_run(snapshot.customer_states(day, history), day, calendar))
        per_stage: dict[str, StageImpact] = {}
        for message in planned:
            history.record(message.customer_key, day, [(i.invoice.key, i.step.stage) for i in message.items])
            if message.policy.name != policy_name:
                continue
            entry = per_stage.setdefault(message.stage, StageImpact())
            entry.customers += 1
            entry.invoices += len(message.items)
            for currency, amount in message.totals().items():
                entry.amounts[currency] += amount
        found.append(DayImpact(day, per_stage))
        day += timedelta(days=1)
    return Impact(policy_name, first, last, found, stages)


def preview_impact(workspace: Workspace, policy_name: str, today: date, days: int = IMPACT_DAYS) -> Impact:
    """impact, memoized as preview_next_run."""
    return memoize(
        workspace,
        "impact",
        PLANNING,
        (policy_name, today, days),
        lambda: impact(workspace, policy_name, today, days),
    )
