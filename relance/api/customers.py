"""Customers: list, one by customer_id, create or update (one, or many as an import), exclude, include."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from relance.accounts.models import Workspace
from relance.api.auth import READ, WRITE, workspace_of
from relance.api.errors import NotFound, responses
from relance.api.importing import import_json, run_import, save_one
from relance.api.paging import in_order, page
from relance.api.schemas import (
    CustomerFilters,
    CustomerImportIn,
    CustomerIn,
    CustomerKey,
    CustomerOut,
    CustomerPage,
    ExcludeIn,
    ImportOut,
    Paging,
)
from relance.ledger.actions import do_exclude, do_include
from relance.ledger.models import Customer

router = Router(tags=["customers"])


def get_customer(workspace: Workspace, customer_id: str) -> Customer:
    """The workspace's customer, or a 404 (another workspace's customers are unknown here)."""
    found = Customer.objects.filter(workspace=workspace, external_id=customer_id).first()
    if found is None:
        raise NotFound(f"no customer with customer_id {customer_id!r}")
    return found


@router.get("/customers", response=responses({200: CustomerPage}), auth=READ, summary="List customers")
def list_customers(
    request: HttpRequest, filters: Query[CustomerFilters], paging: Query[Paging]
) -> dict[str, Any]:
    customers = Customer.objects.filter(workspace=workspace_of(request))
    if filters.search:
        term = filters.search.strip()
        customers = customers.filter(
            Q(external_id__icontains=term) | Q(name__icontains=term) | Q(email__icontains=term)
        )
    if filters.segment is not None:
        customers = customers.filter(segment=filters.segment)
    if filters.excluded is not None:
        customers = customers.filter(excluded=filters.excluded)
    return page(
        customers.order_by("external_id"),
        paging,
        lambda ids: in_order(ids, Customer.objects.filter(pk__in=ids)),
    )


@router.post(
    "/customers",
    response=responses({200: CustomerOut, 201: CustomerOut}),
    auth=WRITE,
    summary="Create or update a customer",
    description=(
        "Upsert by customer_id, with the rules and messages of `relance import customers`: 201 when "
        "created, 200 when updated or unchanged. Fields left out keep their value."
    ),
)
def save_customer(request: HttpRequest, body: CustomerIn) -> Status:
    workspace = workspace_of(request)
    created = save_one(workspace, "customers", body)
    return Status(201 if created else 200, get_customer(workspace, body.customer_id.strip()))


@router.post(
    "/imports/customers",
    response=responses({200: ImportOut}),
    auth=WRITE,
    summary="Import customers (bulk upsert)",
    description=(
        "Every row is checked first: when any is refused, nothing is written and the 400 names every bad row "
        "(its index in `rows`, from 0) and field. A field given on some rows only is emptied on the others, "
        "as an empty cell of a CSV column. `dry_run` checks and counts without writing."
    ),
)
def import_customers(request: HttpRequest, body: CustomerImportIn) -> dict[str, Any]:
    report = run_import(workspace_of(request), "customers", body.rows, body.dry_run)
    return import_json(report)


@router.post(
    "/customers/{path:customer_id}/exclude",
    response=responses({200: CustomerOut}),
    auth=WRITE,
    summary="Stop chasing a customer",
)
def exclude_customer(
    request: HttpRequest, customer_id: CustomerKey, body: ExcludeIn | None = None
) -> Customer:
    workspace = workspace_of(request)
    customer = get_customer(workspace, customer_id)
    return do_exclude(workspace, customer.external_id, body.reason if body else "")


@router.post(
    "/customers/{path:customer_id}/include",
    response=responses({200: CustomerOut}),
    auth=WRITE,
    summary="Resume chasing an excluded customer",
)
def include_customer(request: HttpRequest, customer_id: CustomerKey) -> Customer:
    workspace = workspace_of(request)
    customer = get_customer(workspace, customer_id)
    return do_include(workspace, customer.external_id)


@router.get(
    "/customers/{path:customer_id}",
    response=responses({200: CustomerOut}),
    auth=READ,
    summary="One customer by its customer_id",
)
def get_one_customer(request: HttpRequest, customer_id: CustomerKey) -> Customer:
    return get_customer(workspace_of(request), customer_id)
