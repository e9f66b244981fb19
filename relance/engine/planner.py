"""The daily run, as pure functions: who gets which reminder on `today`.

The semantics are those of docs/daily-run.md. Inputs are snapshots of the ledger as it stood on `today`;
the output is the list of messages to create. Nothing here reads a clock or a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from relance.engine.calendar import BusinessCalendar
from relance.engine.policy import Policy, Step

UPCOMING_DAYS = 7


@dataclass(frozen=True)
class InvoiceState:
    """One invoice as of `today`."""

    key: int
    number: str
    due_date: date
    outstanding: Decimal
    currency: str
    # Open, outstanding above the tolerance, not void, not disputed or held on `today`.
    chaseable: bool
    # Stages this invoice has already reached (in messages that were not cancelled).
    reached: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CustomerState:
    key: int
    policy: Policy
    invoices: tuple[InvoiceState, ...]
    excluded: bool = False
    last_message_date: date | None = None
    # Unsubscribed from courtesy reminders (RFC 8058): pre-due steps are dropped, overdue ones still come.
    pre_due_opt_out: bool = False


@dataclass(frozen=True)
class PlannedItem:
    invoice: InvoiceState
    step: Step
    step_index: int


@dataclass(frozen=True)
class PlannedMessage:
    customer_key: int
    policy: Policy
    items: tuple[PlannedItem, ...]
    # Invoices coming due soon, listed for information in an overdue message; they reach no step.
    upcoming: tuple[InvoiceState, ...] = field(default=())

    @property
    def step(self) -> Step:
        """The most advanced step among the items: it sets the stage, tone and template."""
        return max(self.items, key=lambda item: item.step_index).step

    @property
    def stage(self) -> str:
        return self.step.stage

    @property
    def requires_approval(self) -> bool:
        return any(item.step.requires_approval for item in self.items)

    @property
    def escalates(self) -> bool:
        """An invoice reached the policy's last step: after this, a person takes over."""
        last = len(self.policy.steps) - 1
        return any(item.step_index == last for item in self.items)

    def totals(self) -> dict[str, Decimal]:
        sums: dict[str, Decimal] = {}
        for item in self.items:
            sums[item.invoice.currency] = (
                sums.get(item.invoice.currency, Decimal("0")) + item.invoice.outstanding
            )
        return sums


def next_step(
    policy: Policy, invoice: InvoiceState, today: date, skip_pre_due: bool = False
) -> tuple[int, Step] | None:
    """The one step due for `invoice` on `today`, if any.

    Steps are taken one at a time, in order, after the last one reached: an overdue stage is never skipped
    even when several offsets have passed. A pre-due step whose due date has passed is dropped.
    """
    if not invoice.chaseable:
        return None
    steps = policy.steps
    last_reached = -1
    if invoice.reached:
        last_reached = max((i for i, s in enumerate(steps) if s.stage in invoice.reached), default=-1)
    days_past_due = (today - invoice.due_date).days
    for index in range(last_reached + 1, len(steps)):
        step = steps[index]
        if step.offset_days < 0 and (days_past_due >= 0 or skip_pre_due):
            continue  # a pre-due step once the due date has come, or declined by the customer: dropped
        if days_past_due >= step.offset_days:
            return index, step
        return None
    return None


def plan_customer(customer: CustomerState, today: date, calendar: BusinessCalendar) -> PlannedMessage | None:
    """At most one message for this customer today, carrying every invoice with a due step."""
    policy = customer.policy
    if customer.excluded:
        return None
    if customer.last_message_date is not None:
        allowed = customer.last_message_date + timedelta(days=max(1, policy.min_days_between_messages))
        if today < allowed:
            return None
    if policy.business_days_only and not calendar.is_business_day(today):
        return None
    items: list[PlannedItem] = []
    for invoice in customer.invoices:
        found = next_step(policy, invoice, today, customer.pre_due_opt_out)
        if found is not None:
            items.append(PlannedItem(invoice=invoice, step=found[1], step_index=found[0]))
    if not items:
        return None
    total = sum((item.invoice.outstanding for item in items), Decimal("0"))
    if total < policy.min_amount:
        return None
    # A step with a minimum amount waits (it is not skipped) while the customer's total is below it.
    items = [item for item in items if total >= item.step.min_amount]
    if not items:
        return None
    chosen = {item.invoice.key for item in items}
    planned = PlannedMessage(customer_key=customer.key, policy=policy, items=tuple(items))
    if planned.step.is_pre_due:
        return planned
    horizon = today + timedelta(days=UPCOMING_DAYS)
    upcoming = tuple(
        inv
        for inv in customer.invoices
        if inv.chaseable and inv.key not in chosen and today < inv.due_date <= horizon
    )
    return PlannedMessage(customer_key=customer.key, policy=policy, items=tuple(items), upcoming=upcoming)


def plan_run(
    customers: Iterable[CustomerState], today: date, calendar: BusinessCalendar
) -> Iterator[PlannedMessage]:
    for customer in customers:
        planned = plan_customer(customer, today, calendar)
        if planned is not None:
            yield planned
