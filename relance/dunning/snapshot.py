"""The ledger as it stood on given days, loaded in a few bulk queries and answered from memory.

`run` loads it for one day; `simulate` loads it once for a period and asks it about each day: both go
through `customer_states`, so a simulation plans exactly what the run would have planned.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from relance.accounts.models import Workspace
from relance.dunning.models import Policy as PolicyRow
from relance.engine.planner import CustomerState, InvoiceState
from relance.engine.policy import Policy, choose_policy, parse_policy
from relance.ledger.models import Customer, Hold, Invoice, Payment
from relance.mail.models import Message, MessageItem

# Invoices coming due within this many days are loaded too: pre-due steps and the "coming up" list.
MIN_LOOKAHEAD_DAYS = 14


class CustomerRow(NamedTuple):
    id: int
    external_id: str
    segment: str
    tags: list[str]
    pinned_policy: str
    excluded: bool
    undeliverable: bool


class InvoiceRow(NamedTuple):
    id: int
    customer_id: int
    number: str
    issue_date: date
    due_date: date
    amount: Decimal
    currency: str


class HoldRow(NamedTuple):
    start: date
    until: date
    released_on: date | None

    def covers(self, day: date) -> bool:
        return self.start <= day < self.until and (self.released_on is None or day < self.released_on)


@dataclass
class History:
    """Stages reached and message dates, from the outbox; simulate adds what it would have sent."""

    reached: dict[int, list[tuple[date, str]]] = field(default_factory=lambda: defaultdict(list))
    message_dates: dict[int, list[date]] = field(default_factory=lambda: defaultdict(list))

    def record(self, customer_id: int, day: date, items: list[tuple[int, str]]) -> None:
        self.message_dates[customer_id].append(day)
        for invoice_id, stage in items:
            self.reached[invoice_id].append((day, stage))


@dataclass
class LedgerSnapshot:
    workspace: Workspace
    policies: list[Policy]
    customers: dict[int, CustomerRow]
    invoices_by_customer: dict[int, list[InvoiceRow]]
    payments: dict[int, list[tuple[date, Decimal]]]
    holds: dict[int, list[HoldRow]]
    history: History

    def policy_for(self, customer: CustomerRow) -> Policy:
        return choose_policy(self.policies, customer.segment, customer.tags, customer.pinned_policy)

    def customer_states(self, day: date, history: History | None = None) -> list[CustomerState]:
        """Every customer with an invoice to consider, as the ledger stood on `day`."""
        history = history or self.history
        tolerance = self.workspace.tolerance
        states = []
        for customer_id, invoices in self.invoices_by_customer.items():
            customer = self.customers[customer_id]
            policy = self.policy_for(customer)
            invoice_states = tuple(
                self._invoice_state(inv, day, tolerance, history) for inv in invoices if inv.issue_date <= day
            )
            if not invoice_states:
                continue
            dates = [d for d in history.message_dates.get(customer_id, ()) if d <= day]
            states.append(
                CustomerState(
                    key=customer_id,
                    policy=policy,
                    invoices=invoice_states,
                    # An address that hard-bounced gets no more e-mail; a person has a task for it.
                    excluded=customer.excluded or customer.undeliverable,
                    last_message_date=max(dates) if dates else None,
                )
            )
        return states

    def _invoice_state(self, inv: InvoiceRow, day: date, tolerance: Decimal, history: History) -> InvoiceState:
        paid = sum((amount for paid_on, amount in self.payments.get(inv.id, ()) if paid_on <= day), Decimal("0"))
        outstanding = inv.amount - paid
        held = any(h.covers(day) for h in self.holds.get(inv.id, ()))
        reached = frozenset(stage for on, stage in history.reached.get(inv.id, ()) if on <= day)
        return InvoiceState(
            key=inv.id,
            number=inv.number,
            due_date=inv.due_date,
            outstanding=outstanding,
            currency=inv.currency,
            chaseable=outstanding > tolerance and not held,
            reached=reached,
        )


def load_policies(workspace: Workspace) -> list[Policy]:
    rows = PolicyRow.objects.filter(workspace=workspace).order_by("updated_at", "pk")
    policies = []
    for row in rows:
        parsed = parse_policy(row.definition, source=f"policy {row.name}")
        policies.append(
            Policy(
                name=parsed.name,
                steps=parsed.steps,
                min_days_between_messages=parsed.min_days_between_messages,
                business_days_only=parsed.business_days_only,
                min_amount=parsed.min_amount,
                segments=parsed.segments,
                tags=parsed.tags,
                version=row.version,
            )
        )
    return policies


def load_snapshot(workspace: Workspace, first_day: date, last_day: date, history_before: date) -> LedgerSnapshot:
    """What is needed to plan every day of [first_day, last_day].

    `history_before`: outbox history is read for run dates strictly before it (a run reads its own day too,
    so that re-running a day adds nothing; a simulation reads only what precedes the period).
    """
    policies = load_policies(workspace)
    lookahead = max([MIN_LOOKAHEAD_DAYS, *(-s.offset_days for p in policies for s in p.steps)])
    invoice_filter = {
        "workspace": workspace,
        "status": Invoice.OPEN,
        "issue_date__lte": last_day,
        "due_date__lte": last_day + timedelta(days=lookahead),
    }
    # The same conditions seen from the rows that point at an invoice.
    related = {f"invoice__{key}": value for key, value in invoice_filter.items()}
    invoices_by_customer: dict[int, list[InvoiceRow]] = defaultdict(list)
    for row in Invoice.objects.filter(**invoice_filter).order_by("due_date", "number").values_list(
        "id", "customer_id", "number", "issue_date", "due_date", "amount", "currency"
    ):
        invoices_by_customer[row[1]].append(InvoiceRow(*row))

    payments: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for invoice_id, paid_on, amount in Payment.objects.filter(date__lte=last_day, **related).values_list(
        "invoice_id", "date", "amount"
    ):
        payments[invoice_id].append((paid_on, amount))

    holds: dict[int, list[HoldRow]] = defaultdict(list)
    hold_rows = Hold.objects.filter(start__lte=last_day, until__gt=first_day, **related)
    for invoice_id, start, until, released in hold_rows.values_list("invoice_id", "start", "until", "released_on"):
        holds[invoice_id].append(HoldRow(start, until, released))

    history = History()
    items = MessageItem.objects.filter(message__run_date__lt=history_before, **related).exclude(
        message__status=Message.CANCELLED
    )
    for invoice_id, stage, run_date in items.values_list("invoice_id", "stage", "message__run_date"):
        history.reached[invoice_id].append((run_date, stage))
    messages = Message.objects.filter(workspace=workspace, run_date__lt=history_before).exclude(
        status=Message.CANCELLED
    )
    for customer_id, run_date in messages.values_list("customer_id", "run_date"):
        history.message_dates[customer_id].append(run_date)

    customers = {
        row[0]: CustomerRow(*row)
        for row in Customer.objects.filter(workspace=workspace).values_list(
            "id", "external_id", "segment", "tags", "pinned_policy", "excluded", "undeliverable"
        )
        if row[0] in invoices_by_customer
    }
    return LedgerSnapshot(workspace, policies, customers, dict(invoices_by_customer), payments, holds, history)
