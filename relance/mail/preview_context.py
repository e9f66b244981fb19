"""The context the daily run would build for one customer today: `relance preview` and the web editor."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from relance.accounts.models import Workspace
from relance.engine.errors import InvalidInput
from relance.ledger.models import Customer, Invoice
from relance.ledger.queries import holds_covering, paid_totals
from relance.mail.compose import build_context, invoice_context

# Invoices coming due within this many days are listed for information, as in the daily run.
UPCOMING_DAYS = 14


def customer_context(workspace: Workspace, customer: Customer, stage: str, today: date) -> dict[str, Any]:
    """The context the daily run would build for `customer` today, with its chaseable open invoices.

    Chaseable: open, issued, outstanding above the workspace's tolerance, not on hold. A pre-due message is
    about those not yet due, an overdue one about those due; the others coming due soon are listed as
    upcoming. When the stage selects none, every chaseable invoice is shown.
    """
    open_invoices = list(
        Invoice.objects.filter(customer=customer, status=Invoice.OPEN, issue_date__lte=today).order_by(
            "due_date", "number"
        )
    )
    paid = paid_totals([invoice.pk for invoice in open_invoices], as_of=today)
    held = holds_covering(workspace, today)
    chaseable = []
    for invoice in open_invoices:
        outstanding = invoice.amount - paid.get(invoice.pk, 0)
        if outstanding > workspace.tolerance and invoice.pk not in held:
            chaseable.append((invoice, outstanding))
    if not chaseable:
        raise InvalidInput(
            f"customer {customer.external_id!r} has no open invoice to chase: preview without --customer "
            "to use sample data"
        )
    if stage == "pre_due":
        selected = [(i, o) for i, o in chaseable if i.due_date > today]
    else:
        selected = [(i, o) for i, o in chaseable if i.due_date <= today]
    selected = selected or chaseable
    soon = today + timedelta(days=UPCOMING_DAYS)
    upcoming = [(i, o) for i, o in chaseable if (i, o) not in selected and today < i.due_date <= soon]
    invoices = [invoice_context(invoice, outstanding, today, stage) for invoice, outstanding in selected]
    coming = [invoice_context(invoice, outstanding, today) for invoice, outstanding in upcoming]
    return build_context(workspace, customer, invoices, coming, stage, today)
