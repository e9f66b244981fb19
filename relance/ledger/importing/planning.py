"""What an import would change, decided against the database (read only): duplicates inside the file,
unknown customers and invoices, overpayments, then which rows are new, changed or unchanged.

Existing rows are loaded by key as plain values in a few queries; nothing here queries once per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import models

from relance.accounts.models import Workspace
from relance.ledger import queries
from relance.ledger.importing.report import RowError
from relance.ledger.importing.rows import Kind, ParsedRow
from relance.ledger.models import Customer, Invoice, Payment

ZERO = Decimal("0.00")


@dataclass
class Plan:
    model: type[models.Model]
    create: list[Any] = field(default_factory=list)
    # (id, values of update_fields) of the existing rows that change.
    update: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    update_fields: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    def upsert(
        self, existing: dict[str, Any] | None, fields: dict[str, Any], build: Callable[[], Any]
    ) -> None:
        """Count the row as created, updated or unchanged, and keep what has to be written."""
        if existing is None:
            self.create.append(build())
        elif all(existing[name] == value for name, value in fields.items()):
            self.unchanged += 1
        else:
            self.update.append((existing["id"], fields))


def make_plan(
    workspace: Workspace, kind: Kind, rows: list[ParsedRow], seen: dict[Any, int] | None = None
) -> Plan:
    """`seen`: the keys of the file's earlier chunks and their lines, updated with this chunk's."""
    rows, duplicates = drop_duplicates(kind, rows, {} if seen is None else seen)
    planner = {"customers": plan_customers, "invoices": plan_invoices, "payments": plan_payments}[kind.name]
    plan = planner(workspace, rows)
    plan.errors = duplicates + plan.errors
    return plan


def drop_duplicates(
    kind: Kind, rows: list[ParsedRow], first_line: dict[Any, int]
) -> tuple[list[ParsedRow], list[RowError]]:
    """A key seen twice in one file is an error on the later line."""
    kept: list[ParsedRow] = []
    errors: list[RowError] = []
    for row in rows:
        if row.key in first_line:
            value = row.key[-1] if isinstance(row.key, tuple) else row.key
            reason = f"duplicate: already on line {first_line[row.key]}"
            errors.append(RowError(row.line, kind.key_columns[-1], value, reason))
        else:
            first_line[row.key] = row.line
            kept.append(row)
    return kept, errors


def _columns_written(rows: list[ParsedRow], key_field: str) -> list[str]:
    return [name for name in rows[0].fields if name != key_field] if rows else []


def plan_customers(workspace: Workspace, rows: list[ParsedRow]) -> Plan:
    written = _columns_written(rows, "external_id")
    plan = Plan(Customer, update_fields=written)
    scope = Customer.objects.filter(workspace=workspace)
    existing = queries.values_by_key(scope, "external_id", (row.key for row in rows), written)
    for row in rows:
        fields = {name: row.fields[name] for name in written}
        plan.upsert(existing.get(row.key), fields, partial(Customer, workspace_id=workspace.pk, **row.fields))
    return plan


def plan_invoices(workspace: Workspace, rows: list[ParsedRow]) -> Plan:
    written = [*_columns_written(rows, "number"), "customer_id"]
    plan = Plan(Invoice, update_fields=written)
    customers = queries.customer_ids_by_key(workspace, (row.parent for row in rows))
    scope = Invoice.objects.filter(workspace=workspace)
    existing = queries.values_by_key(scope, "number", (row.key for row in rows), written)
    paid = queries.paid_totals(_paid_checks_needed(rows, existing))
    for row in rows:
        customer_id = customers.get(row.parent)
        if customer_id is None:
            reason = "no customer with this customer_id: import the customers first"
            plan.errors.append(RowError(row.line, "customer_id", row.parent, reason))
            continue
        invoice = existing.get(row.key)
        if invoice is not None and not _keeps_payments_valid(
            plan, row, invoice, paid.get(invoice["id"], ZERO)
        ):
            continue
        fields = {**{name: row.fields[name] for name in written[:-1]}, "customer_id": customer_id}
        build = partial(Invoice, workspace_id=workspace.pk, customer_id=customer_id, **row.fields)
        plan.upsert(invoice, fields, build)
    return plan


def _paid_checks_needed(rows: list[ParsedRow], existing: dict[str, dict[str, Any]]) -> list[int]:
    """Existing invoices whose currency changes or amount goes down: their payments must still fit."""
    ids = []
    for row in rows:
        invoice = existing.get(row.key)
        if invoice is not None and (
            row.fields["currency"] != invoice["currency"] or row.fields["amount"] < invoice["amount"]
        ):
            ids.append(invoice["id"])
    return ids


def _keeps_payments_valid(plan: Plan, row: ParsedRow, invoice: dict[str, Any], paid: Decimal) -> bool:
    if paid <= 0:
        return True
    currency, amount = row.fields["currency"], row.fields["amount"]
    if currency != invoice["currency"]:
        reason = f"cannot change from {invoice['currency']} to {currency}: the invoice already has payments"
        plan.errors.append(RowError(row.line, "currency", currency, reason))
        return False
    if amount < paid:
        reason = f"is less than the {paid} already paid on this invoice"
        plan.errors.append(RowError(row.line, "amount", str(amount), reason))
        return False
    return True


def plan_payments(workspace: Workspace, rows: list[ParsedRow]) -> Plan:
    plan = Plan(Payment, update_fields=["date", "amount"])
    scope = Invoice.objects.filter(workspace=workspace)
    invoices = queries.values_by_key(scope, "number", (row.parent for row in rows), ["amount", "currency"])
    existing = queries.payments_by_key([invoice["id"] for invoice in invoices.values()])
    in_file = {
        (invoices[row.parent]["id"], row.fields["reference"]) for row in rows if row.parent in invoices
    }
    # What stays paid whatever this file says: the payments it does not mention.
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for key, payment in existing.items():
        if key not in in_file:
            paid[key[0]] += payment["amount"]
    for row in rows:
        invoice = invoices.get(row.parent)
        if invoice is None:
            reason = "no invoice with this number: import the invoices first"
            plan.errors.append(RowError(row.line, "invoice_number", row.parent, reason))
            continue
        invoice_id, amount = invoice["id"], row.fields["amount"]
        if paid[invoice_id] + amount > invoice["amount"]:
            reason = (
                f"overpays invoice {row.parent}: {paid[invoice_id]} already paid (rows above included) plus "
                f"{amount} is more than its amount {invoice['amount']} {invoice['currency']}"
            )
            plan.errors.append(RowError(row.line, "amount", str(amount), reason))
            continue
        paid[invoice_id] += amount
        fields = {"date": row.fields["date"], "amount": amount}
        build = partial(Payment, workspace_id=workspace.pk, invoice_id=invoice_id, **row.fields)
        plan.upsert(existing.get((invoice_id, row.fields["reference"])), fields, build)
    return plan
