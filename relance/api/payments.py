"""Payments: list, create or update (one, or many as an import). Writing them goes through the importer,
which refuses overpayments and credits the payments to the reminders before them (attribution)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from relance.accounts.models import Workspace
from relance.api.auth import READ, WRITE, workspace_of
from relance.api.errors import NotFound, responses
from relance.api.importing import import_json, run_import, save_one
from relance.api.invoices import customer_pk
from relance.api.paging import in_order, page
from relance.api.schemas import (
    ImportOut,
    Paging,
    PaymentFilters,
    PaymentImportIn,
    PaymentIn,
    PaymentOut,
    PaymentPage,
)
from relance.ledger.models import Invoice, Payment

router = Router(tags=["payments"])


def payments_of(workspace: Workspace) -> QuerySet[Payment]:
    return Payment.objects.filter(workspace=workspace).select_related("invoice__customer", "attribution")


def payment_json(payment: Payment) -> dict[str, Any]:
    attribution = getattr(payment, "attribution", None)
    return {
        "invoice_number": payment.invoice.number,
        "customer_id": payment.invoice.customer.external_id,
        "date": payment.date,
        "amount": payment.amount,
        "reference": payment.reference,
        "attributed_to": attribution.message_id if attribution is not None else None,
        "created_at": payment.created_at,
    }


@router.get("/payments", response=responses({200: PaymentPage}), auth=READ, summary="List payments")
def list_payments(
    request: HttpRequest, filters: Query[PaymentFilters], paging: Query[Paging]
) -> dict[str, Any]:
    workspace = workspace_of(request)
    payments = Payment.objects.filter(workspace=workspace)
    if filters.invoice is not None:
        invoice = Invoice.objects.filter(workspace=workspace, number=filters.invoice).values("pk")
        payments = payments.filter(invoice_id__in=invoice)
    if filters.customer is not None:
        invoices = Invoice.objects.filter(
            workspace=workspace, customer_id=customer_pk(workspace, filters.customer)
        )
        payments = payments.filter(invoice_id__in=invoices.values("pk"))
    if filters.date_from is not None:
        payments = payments.filter(date__gte=filters.date_from)
    if filters.date_to is not None:
        payments = payments.filter(date__lte=filters.date_to)
    return page(
        payments.order_by("-date", "-pk"),
        paging,
        lambda ids: [payment_json(p) for p in in_order(ids, payments_of(workspace).filter(pk__in=ids))],
    )


@router.post(
    "/payments",
    response=responses({200: PaymentOut, 201: PaymentOut}),
    auth=WRITE,
    summary="Record a payment",
    description=(
        "Upsert by (invoice_number, reference), with the rules and messages of `relance import payments`: "
        "partial payments add up, a payment beyond the invoice's amount is refused. 201 when created."
    ),
)
def save_payment(request: HttpRequest, body: PaymentIn) -> Status:
    workspace = workspace_of(request)
    created = save_one(workspace, "payments", body)
    number, reference = body.invoice_number.strip(), body.reference.strip()
    found = payments_of(workspace).filter(invoice__number=number, reference=reference).first()
    if found is None:  # pragma: no cover - the import has just written it
        raise NotFound(f"no payment {reference!r} on invoice {number!r}")
    return Status(201 if created else 200, payment_json(found))


@router.post(
    "/imports/payments",
    response=responses({200: ImportOut}),
    auth=WRITE,
    summary="Import payments (bulk upsert)",
    description=(
        "All rows or none, as `relance import payments`: the 400 names every bad row (its index in `rows`, "
        "from 0) and field. The new payments are credited to the reminders before them."
    ),
)
def import_payments(request: HttpRequest, body: PaymentImportIn) -> dict[str, Any]:
    return import_json(run_import(workspace_of(request), "payments", body.rows, body.dry_run))
