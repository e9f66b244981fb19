"""Holds: pause the chase of an invoice (a dispute, a promise to pay, other) and release it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from relance.accounts.models import Workspace
from relance.api.auth import READ, WRITE, workspace_of
from relance.api.errors import field_error, responses
from relance.api.invoices import customer_pk, get_invoice
from relance.api.paging import in_order, page
from relance.api.schemas import (
    HoldFilters,
    HoldIn,
    HoldOut,
    HoldPage,
    InvoiceNumber,
    Paging,
    ReleaseIn,
    ReleaseOut,
)
from relance.ledger.actions import do_hold, do_release
from relance.ledger.models import Hold
from relance.ledger.queries import holds_in_effect_q, workspace_today

router = Router(tags=["holds"])


def holds_of(workspace: Workspace) -> QuerySet[Hold]:
    return Hold.objects.filter(workspace=workspace).select_related("invoice__customer")


def hold_json(hold: Hold) -> dict[str, Any]:
    return {
        "id": hold.pk,
        "invoice_number": hold.invoice.number,
        "customer_id": hold.invoice.customer.external_id,
        "reason": hold.reason,
        "start": hold.start,
        "until": hold.until,
        "released_on": hold.released_on,
        "note": hold.note,
        "created_at": hold.created_at,
    }


@router.get("/holds", response=responses({200: HoldPage}), auth=READ, summary="List holds")
def list_holds(request: HttpRequest, filters: Query[HoldFilters], paging: Query[Paging]) -> dict[str, Any]:
    workspace = workspace_of(request)
    holds = Hold.objects.filter(workspace=workspace)
    if filters.invoice is not None:
        holds = holds.filter(invoice__number=filters.invoice)
    if filters.customer is not None:
        holds = holds.filter(invoice__customer_id=customer_pk(workspace, filters.customer))
    if filters.reason is not None:
        holds = holds.filter(reason=filters.reason)
    if filters.active is not None:
        in_effect = holds_in_effect_q(workspace_today(workspace, timezone.now()))
        holds = holds.filter(in_effect) if filters.active else holds.exclude(in_effect)
    return page(
        holds.order_by("-start", "-pk"),
        paging,
        lambda ids: [hold_json(h) for h in in_order(ids, holds_of(workspace).filter(pk__in=ids))],
    )


@router.get(
    "/invoices/{path:number}/holds",
    response=responses({200: list[HoldOut]}),
    auth=READ,
    summary="The holds of an invoice",
)
def invoice_holds(request: HttpRequest, number: InvoiceNumber) -> list[dict[str, Any]]:
    workspace = workspace_of(request)
    invoice = get_invoice(workspace, number)
    return [hold_json(h) for h in holds_of(workspace).filter(invoice=invoice).order_by("start", "pk")]


@router.post(
    "/invoices/{path:number}/holds",
    response=responses({201: HoldOut}),
    auth=WRITE,
    summary="Put an invoice on hold",
    description=(
        "No reminder mentions the invoice on the days start <= day < until (on `until` it is chased again), "
        "or until it is released. A dispute is a hold with reason `dispute`."
    ),
)
def add_hold(request: HttpRequest, number: InvoiceNumber, body: HoldIn) -> Status:
    workspace = workspace_of(request)
    invoice = get_invoice(workspace, number)
    today = workspace_today(workspace, timezone.now())
    start = body.start or today
    if body.until <= start:
        raise field_error("until", f"must be after the start {start.isoformat()}", body.until.isoformat())
    hold = do_hold(
        workspace,
        invoice.number,
        until=body.until,
        reason=body.reason,
        start=start,
        note=body.note,
        today=today,
    )
    return Status(201, hold_json(holds_of(workspace).get(pk=hold.pk)))


@router.post(
    "/invoices/{path:number}/release",
    response=responses({200: ReleaseOut}),
    auth=WRITE,
    summary="Release the holds of an invoice",
    description="Its holds no longer cover the release day (default today) nor any later day.",
)
def release_holds(
    request: HttpRequest, number: InvoiceNumber, body: ReleaseIn | None = None
) -> dict[str, Any]:
    workspace = workspace_of(request)
    invoice = get_invoice(workspace, number)
    on = (body.on if body else None) or workspace_today(workspace, timezone.now())
    return {"invoice_number": invoice.number, "released": do_release(workspace, invoice.number, on=on)}
