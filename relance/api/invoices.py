"""Invoices: list with filters, one by number, create or update (one, or many as an import).

What is paid and outstanding is summed in SQL for the page only; the paid and overdue filters compare it
with the workspace's tolerance (an amount at or below it counts as settled)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from relance.accounts.models import Workspace
from relance.api.auth import READ, WRITE, workspace_of
from relance.api.errors import NotFound, responses
from relance.api.importing import import_json, run_import, save_one
from relance.api.paging import in_order, page
from relance.api.schemas import (
    ImportOut,
    InvoiceFilters,
    InvoiceImportIn,
    InvoiceIn,
    InvoiceNumber,
    InvoiceOut,
    InvoicePage,
    Paging,
)
from relance.ledger.models import Customer, Invoice, Payment
from relance.ledger.queries import workspace_today

router = Router(tags=["invoices"])

MONEY = DecimalField(max_digits=14, decimal_places=2)
# Amounts are whole cents: half a cent of slack keeps SQL comparisons exact whatever the backend's arithmetic.
HALF_CENT = Decimal("0.005")
ZERO = Decimal("0.00")


def invoices_of(workspace: Workspace) -> QuerySet[Invoice, Any]:
    """The workspace's invoices with customer_id, amount_paid, outstanding and paid (settled) annotated."""
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    settled_at = workspace.tolerance + HALF_CENT
    return (
        Invoice.objects.filter(workspace=workspace)
        .annotate(
            customer_key=F("customer__external_id"),
            amount_paid=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY),
        )
        .annotate(outstanding=ExpressionWrapper(F("amount") - F("amount_paid"), output_field=MONEY))
        .annotate(paid=ExpressionWrapper(Q(outstanding__lte=settled_at), output_field=BooleanField()))
    )


def settled_q(workspace: Workspace) -> Q:
    """Invoices whose payments leave at most the workspace's tolerance to pay: one grouped pass over the
    payments (not a sum per invoice), plus the invoices whose amount itself is within the tolerance."""
    settled_at = workspace.tolerance + HALF_CENT
    paid_enough = (
        Payment.objects.filter(workspace=workspace)
        .order_by()
        .values("invoice", "invoice__amount")
        .annotate(total=Sum("amount"))
        .filter(total__gte=F("invoice__amount") - settled_at)
        .values("invoice")
    )
    return Q(pk__in=paid_enough) | Q(amount__lte=settled_at)


def overdue_q(workspace: Workspace, today: date) -> Q:
    """Open, past the due date and not settled."""
    return Q(status=Invoice.OPEN, due_date__lt=today) & ~settled_q(workspace)


def customer_pk(workspace: Workspace, customer_id: str) -> int:
    """The database id of the customer with this customer_id, so that filters use the foreign key's index;
    0 (no row has it) for an unknown customer."""
    found = (
        Customer.objects.filter(workspace=workspace, external_id=customer_id)
        .values_list("pk", flat=True)
        .first()
    )
    return found or 0


def get_invoice(workspace: Workspace, number: str) -> Invoice:
    """The workspace's invoice, or a 404 (another workspace's invoices are unknown here)."""
    found = invoices_of(workspace).filter(number=number).first()
    if found is None:
        raise NotFound(f"no invoice numbered {number!r}")
    return found


def invoice_json(invoice: Any) -> dict[str, Any]:
    return {
        "number": invoice.number,
        "customer_id": invoice.customer_key,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "amount": invoice.amount,
        "currency": invoice.currency,
        "status": invoice.status,
        "amount_paid": invoice.amount_paid,
        "outstanding": invoice.outstanding,
        "paid": bool(invoice.paid),
        "pdf_url": invoice.pdf_url,
        "payment_url": invoice.payment_url,
        "created_at": invoice.created_at,
        "updated_at": invoice.updated_at,
    }


@router.get("/invoices", response=responses({200: InvoicePage}), auth=READ, summary="List invoices")
def list_invoices(
    request: HttpRequest, filters: Query[InvoiceFilters], paging: Query[Paging]
) -> dict[str, Any]:
    workspace = workspace_of(request)
    invoices = Invoice.objects.filter(workspace=workspace)
    if filters.status is not None:
        invoices = invoices.filter(status=filters.status)
    if filters.customer is not None:
        invoices = invoices.filter(customer_id=customer_pk(workspace, filters.customer))
    if filters.paid is not None:
        settled = settled_q(workspace)
        invoices = invoices.filter(settled) if filters.paid else invoices.exclude(settled)
    if filters.overdue is not None:
        overdue = overdue_q(workspace, workspace_today(workspace, timezone.now()))
        invoices = invoices.filter(overdue) if filters.overdue else invoices.exclude(overdue)
    if filters.due_before is not None:
        invoices = invoices.filter(due_date__lte=filters.due_before)
    if filters.due_after is not None:
        invoices = invoices.filter(due_date__gte=filters.due_after)
    return page(
        invoices.order_by("due_date", "number"),
        paging,
        lambda ids: [invoice_json(i) for i in in_order(ids, invoices_of(workspace).filter(pk__in=ids))],
    )


@router.post(
    "/invoices",
    response=responses({200: InvoiceOut, 201: InvoiceOut}),
    auth=WRITE,
    summary="Create or update an invoice",
    description=(
        "Upsert by number, with the rules and messages of `relance import invoices` (the customer must "
        "exist; an amount may not drop below what is already paid): 201 when created, 200 otherwise."
    ),
)
def save_invoice(request: HttpRequest, body: InvoiceIn) -> Status:
    workspace = workspace_of(request)
    created = save_one(workspace, "invoices", body)
    return Status(201 if created else 200, invoice_json(get_invoice(workspace, body.number.strip())))


@router.post(
    "/imports/invoices",
    response=responses({200: ImportOut}),
    auth=WRITE,
    summary="Import invoices (bulk upsert)",
    description=(
        "All rows or none, as `relance import invoices`: the 400 names every bad row (its index in `rows`, "
        "from 0) and field. `dry_run` checks and counts without writing."
    ),
)
def import_invoices(request: HttpRequest, body: InvoiceImportIn) -> dict[str, Any]:
    return import_json(run_import(workspace_of(request), "invoices", body.rows, body.dry_run))


@router.get(
    "/invoices/{path:number}",
    response=responses({200: InvoiceOut}),
    auth=READ,
    summary="One invoice by its number",
)
def get_one_invoice(request: HttpRequest, number: InvoiceNumber) -> dict[str, Any]:
    return invoice_json(get_invoice(workspace_of(request), number))
