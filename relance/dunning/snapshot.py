"""The ledger as it stood on given days, loaded in a few bulk queries and answered from memory.

`run` loads it for one day; `simulate` loads it once for a period and asks it about each day: both go
through `customer_states`, so a simulation plans exactly what the run would have planned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection

from relance.accounts.models import Workspace
from relance.dunning.models import Policy as PolicyRow
from relance.engine.money import CENT
from relance.engine.planner import CustomerState, InvoiceState
from relance.engine.policy import BUILTIN_DEFAULT, Policy, choose_policy, parse_policy
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
    complained: bool
    paused: bool
    pre_due_opt_out: bool


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
        """Every customer with an invoice that can be chased, as the ledger stood on `day`.

        Invoices that cannot be chased on `day` (paid, held) are left out: the engine would give them no
        step and list none of them as coming due, and leaving them out keeps a large ledger's run fast.
        """
        history = history or self.history
        tolerance = self.workspace.tolerance
        policies: dict[tuple[str, tuple[str, ...], str], Policy] = {}
        states = []
        for customer_id, invoices in self.invoices_by_customer.items():
            invoice_states = []
            for inv in invoices:
                if inv.issue_date > day:
                    continue
                state = self._invoice_state(inv, day, tolerance, history)
                if state is not None:
                    invoice_states.append(state)
            if not invoice_states:
                continue
            customer = self.customers[customer_id]
            key = (customer.segment, tuple(customer.tags), customer.pinned_policy)
            if key not in policies:
                policies[key] = self.policy_for(customer)
            dates = [d for d in history.message_dates.get(customer_id, ()) if d <= day]
            states.append(
                CustomerState(
                    key=customer_id,
                    policy=policies[key],
                    invoices=tuple(invoice_states),
                    # An address that hard-bounced gets no more e-mail; a person has a task for it.
                    excluded=customer.excluded
                    or customer.undeliverable
                    or customer.complained
                    or customer.paused,
                    last_message_date=max(dates) if dates else None,
                    pre_due_opt_out=customer.pre_due_opt_out,
                )
            )
        return states

    def _invoice_state(
        self, inv: InvoiceRow, day: date, tolerance: Decimal, history: History
    ) -> InvoiceState | None:
        outstanding = inv.amount
        for paid_on, amount in self.payments.get(inv.id, ()):
            if paid_on <= day:
                outstanding -= amount
        if outstanding <= tolerance:
            return None
        holds = self.holds.get(inv.id)
        if holds and any(h.covers(day) for h in holds):
            return None
        reached = history.reached.get(inv.id)
        return InvoiceState(
            key=inv.id,
            number=inv.number,
            due_date=inv.due_date,
            outstanding=outstanding,
            currency=inv.currency,
            chaseable=True,
            reached=frozenset(stage for on, stage in reached if on <= day) if reached else frozenset(),
        )


def load_policies(workspace: Workspace) -> list[Policy]:
    rows = PolicyRow.objects.filter(workspace=workspace).order_by("updated_at", "pk")
    policies = []
    for row in rows:
        parsed = parse_policy(row.definition, source=f"policy {row.name}")
        policies.append(replace(parsed, version=row.version))
    return policies


def load_snapshot(
    workspace: Workspace, first_day: date, last_day: date, history_before: date
) -> LedgerSnapshot:
    """What is needed to plan every day of [first_day, last_day]: one query for the invoices (with their
    payments and reached stages folded in), and small ones for holds, recent messages and customers.

    `history_before`: outbox history is read for run dates strictly before it (a run reads its own day too,
    so that re-running a day adds nothing; a simulation reads only what precedes the period).
    Raw SQL on purpose: this is the run's hot path, and on a 100,000-invoice ledger model instances, per-row
    converters or a second pass over the invoices cost more than the database itself.
    """
    policies = load_policies(workspace)
    lookahead = max([MIN_LOOKAHEAD_DAYS, *(-s.offset_days for p in policies for s in p.steps)])
    gap = max(
        [1, *(p.min_days_between_messages for p in policies), BUILTIN_DEFAULT.min_days_between_messages]
    )
    sql = _Dialect(connection.vendor)
    invoice_table, payment_table = Invoice._meta.db_table, Payment._meta.db_table
    item_table, message_table = MessageItem._meta.db_table, Message._meta.db_table
    paid_list = sql.concat(f"{sql.text('p.date')} || '{sql.SEP}' || {sql.text('p.amount')}")
    reached_list = sql.concat(f"mi.stage || '{sql.SEP}' || {sql.text('m.run_date')}")
    query = (
        f"SELECT i.id, i.customer_id, i.number, {sql.text('i.issue_date')}, {sql.text('i.due_date')}, "
        f"{sql.text('i.amount')}, i.currency, "
        # The payments of the invoices paid so far (the others have none to list).
        f"CASE WHEN i.first_payment_on <= %s THEN (SELECT {paid_list} FROM {payment_table} p "
        "WHERE p.invoice_id = i.id AND p.date <= %s) END, "
        # Each item's message is read from the message_kpis index, not from its row (the bodies).
        f"(SELECT {reached_list} FROM {item_table} mi "
        f"JOIN {message_table} m {sql.indexed('message_kpis')} ON m.id = mi.message_id "
        f"WHERE mi.invoice_id = i.id AND m.run_date < %s AND m.status <> 'cancelled') "
        f"FROM {invoice_table} i "
        f"WHERE i.workspace_id = %s AND i.status = 'open' AND i.issue_date <= %s AND i.due_date <= %s "
        # Paid off before the period starts (Invoice.paid_off_on), or never owed more than the tolerance:
        # left out in SQL (the exact Decimal check comes after).
        "AND (i.paid_off_on IS NULL OR i.paid_off_on > %s) AND i.amount > %s "
        f"ORDER BY i.due_date"
    )
    params = [
        last_day,
        last_day,
        history_before,
        workspace.pk,
        last_day,
        last_day + timedelta(days=lookahead),
        first_day,
        # Amounts are whole cents, so an unpaid invoice is at least 0.01 above the tolerance; half a cent
        # absorbs SQLite's floating-point sums. A float on both backends: SQLite ranks text above numbers.
        float(workspace.tolerance) + 0.005,
    ]
    invoices_by_customer: dict[int, list[InvoiceRow]] = defaultdict(list)
    payments: dict[int, list[tuple[date, Decimal]]] = {}
    history = History()
    iso = date.fromisoformat
    for pk, customer_id, number, issued, due, amount, currency, paid, reached in _rows(query, params):
        invoices_by_customer[customer_id].append(
            InvoiceRow(
                pk, customer_id, number, iso(issued), iso(due), Decimal(amount).quantize(CENT), currency
            )
        )
        if paid:
            payments[pk] = [
                (iso(on), Decimal(value).quantize(CENT))
                for on, value in (pair.split(sql.SEP) for pair in paid.split(sql.LIST_SEP))
            ]
        if reached:
            history.reached[pk] = [
                (iso(on), stage)
                for stage, on in (pair.split(sql.SEP) for pair in reached.split(sql.LIST_SEP))
            ]

    holds: dict[int, list[HoldRow]] = defaultdict(list)
    for invoice_id, start, until, released in Hold.objects.filter(
        workspace=workspace, start__lte=last_day, until__gt=first_day
    ).values_list("invoice_id", "start", "until", "released_on"):
        holds[invoice_id].append(HoldRow(start, until, released))

    # Only recent messages matter: one older than the largest gap of any policy blocks nothing.
    recent = Message.objects.filter(
        workspace=workspace, run_date__lt=history_before, run_date__gte=first_day - timedelta(days=gap)
    ).exclude(status=Message.CANCELLED)
    for customer_id, run_date in recent.values_list("customer_id", "run_date"):
        history.message_dates[customer_id].append(run_date)

    customers = {}
    for row in Customer.objects.filter(workspace=workspace).values_list(
        "id",
        "external_id",
        "segment",
        "tags",
        "pinned_policy",
        "excluded",
        "undeliverable",
        "complained",
        "paused",
        "pre_due_opt_out",
    ):
        if row[0] in invoices_by_customer:
            customers[row[0]] = CustomerRow(*row)
    return LedgerSnapshot(
        workspace, policies, customers, dict(invoices_by_customer), payments, holds, history
    )


class _Dialect:
    """The few SQL spellings that differ between SQLite and PostgreSQL."""

    SEP = "="
    LIST_SEP = ","

    def __init__(self, vendor: str) -> None:
        self.postgres = vendor == "postgresql"

    def text(self, column: str) -> str:
        return f"CAST({column} AS TEXT)"

    def indexed(self, index: str) -> str:
        """SQLite's INDEXED BY: read that covering index, not the table's rows (nothing on PostgreSQL)."""
        return "" if self.postgres else f"INDEXED BY {index}"

    def concat(self, expression: str) -> str:
        if self.postgres:
            return f"string_agg({expression}, '{self.LIST_SEP}')"
        return f"group_concat({expression}, '{self.LIST_SEP}')"


def _rows(sql: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(10_000):
            yield from batch
