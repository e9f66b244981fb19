"""How the demo's customers pay: on their own, or after a reminder, according to their habit."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from relance.demo.ledger import DemoCustomer, DemoInvoice

# Probability that a reminder at this stage makes a customer of this habit pay, and the delay range.
REACTION = {
    "prompt": {"pre_due": 0.9, "first": 0.95, "second": 1.0, "final": 1.0},
    "reminded": {"pre_due": 0.3, "first": 0.55, "second": 0.75, "final": 0.9},
    "slow": {"pre_due": 0.0, "first": 0.2, "second": 0.45, "final": 0.7},
    "partial": {"pre_due": 0.0, "first": 0.6, "second": 0.8, "final": 0.9},
    "never": {},
}


@dataclass
class PaymentBook:
    """Payments to come, by day; each pays what is still outstanding when its day arrives."""

    rng: random.Random
    invoices: dict[str, DemoInvoice]
    habits: dict[str, str]
    due: dict[date, list[tuple[str, Decimal | None]]] = field(default_factory=lambda: defaultdict(list))
    outstanding: dict[str, Decimal] = field(default_factory=dict)
    promised: set[str] = field(default_factory=set)
    counter: int = 0

    @classmethod
    def create(
        cls, rng: random.Random, customers: list[DemoCustomer], invoices: list[DemoInvoice]
    ) -> PaymentBook:
        book = cls(rng, {i.number: i for i in invoices}, {c.customer_id: c.habit for c in customers})
        book.outstanding = {i.number: i.amount for i in invoices}
        for invoice in invoices:
            book._spontaneous(invoice)
        return book

    def _spontaneous(self, invoice: DemoInvoice) -> None:
        habit = self.habits[invoice.customer_id]
        if habit == "prompt":
            self.schedule(invoice.number, invoice.due_date + timedelta(days=self.rng.randint(-4, 1)))
        elif habit == "reminded":
            self.schedule(invoice.number, invoice.due_date + timedelta(days=self.rng.randint(35, 60)))
        elif habit == "slow":
            self.schedule(invoice.number, invoice.due_date + timedelta(days=self.rng.randint(45, 80)))
        elif habit == "partial":
            half = (invoice.amount / 2).quantize(Decimal("0.01"))
            self.schedule(invoice.number, invoice.due_date + timedelta(days=self.rng.randint(8, 14)), half)
            self.schedule(invoice.number, invoice.due_date + timedelta(days=self.rng.randint(50, 70)))

    def schedule(self, number: str, day: date, amount: Decimal | None = None) -> None:
        self.due[day].append((number, amount))

    def react(
        self, customer_id: str, stage: str, numbers: list[str], day: date, clicked: bool = False
    ) -> None:
        """A customer who received a reminder may pay the invoices it listed, a few days later; one who
        clicked through to the payment page is more likely to."""
        chance = REACTION.get(self.habits[customer_id], {}).get(stage, 0.0)
        if clicked and chance > 0:
            chance = max(chance, 0.85)
        if self.rng.random() < chance:
            delay = self.rng.randint(1, 6) if stage != "pre_due" else self.rng.randint(1, 4)
            for number in numbers:
                self.schedule(number, day + timedelta(days=delay))

    def take(self, day: date) -> list[tuple[str, Decimal, str]]:
        """The payments dated `day`: (invoice number, amount, bank reference)."""
        rows = []
        for number, amount in self.due.pop(day, []):
            remaining = self.outstanding[number]
            if remaining <= 0 or self.invoices[number].issue_date > day:
                continue
            paid = remaining if amount is None else min(amount, remaining)
            self.outstanding[number] = remaining - paid
            self.counter += 1
            rows.append((number, paid, f"VIR-{day:%Y%m%d}-{self.counter:05d}"))
        return rows

    def history_before(self, start: date) -> list[tuple[date, str, Decimal, str]]:
        """Everything paid before the demo starts, for the opening ledger."""
        rows: list[tuple[date, str, Decimal, str]] = []
        for day in sorted(d for d in self.due if d < start):
            rows.extend((day, *row) for row in self.take(day))
        return rows
