"""Reads on the ledger. Lookups by key load many rows in a few queries (chunked IN lists), not one per row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from relance.accounts.models import Workspace
from relance.engine.errors import InvalidInput
from relance.ledger.models import Customer, Hold, Invoice, Payment

# Bound parameters per query: well under SQLite's and PostgreSQL's limits.
CHUNK = 900
CENT = Decimal("0.01")
T = TypeVar("T")


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def workspace_today(workspace: Workspace, now: datetime | None = None) -> date:
    """The date it is now in the workspace's time zone."""
    return (now or timezone.now()).astimezone(ZoneInfo(workspace.timezone)).date()


def get_customer(workspace: Workspace, customer_id: str) -> Customer:
    try:
        return Customer.objects.get(workspace=workspace, external_id=customer_id)
    except Customer.DoesNotExist:
        raise InvalidInput(
            f"no customer with customer_id {customer_id!r} in workspace {workspace.slug!r}"
        ) from None


def get_invoice(workspace: Workspace, number: str) -> Invoice:
    try:
        return Invoice.objects.get(workspace=workspace, number=number)
    except Invoice.DoesNotExist:
        raise InvalidInput(f"no invoice numbered {number!r} in workspace {workspace.slug!r}") from None


def values_by_key(
    queryset: QuerySet[Any], key: str, keys: Iterable[Any], fields: Sequence[str]
) -> dict[Any, dict[str, Any]]:
    """The rows of `queryset` whose `key` is among `keys`, as dicts of `key`, `id` and `fields`, by key.
    Plain values, not model instances: an import of 100,000 rows compares them cheaply."""
    names = list(dict.fromkeys([key, "id", *fields]))
    found: dict[Any, dict[str, Any]] = {}
    for batch in chunks(set(keys)):
        for row in queryset.filter(**{f"{key}__in": batch}).values(*names):
            found[row[key]] = row
    return found


def customer_ids_by_key(workspace: Workspace, keys: Iterable[str]) -> dict[str, int]:
    """Customer ids by customer_id (the customer's own key); unknown keys are absent."""
    rows = values_by_key(Customer.objects.filter(workspace=workspace), "external_id", keys, ())
    return {key: row["id"] for key, row in rows.items()}


def payments_by_key(invoice_ids: Iterable[int]) -> dict[tuple[int, str], dict[str, Any]]:
    """The payments of these invoices by (invoice id, reference), as dicts of id, date and amount."""
    found: dict[tuple[int, str], dict[str, Any]] = {}
    for batch in chunks(set(invoice_ids)):
        payments = Payment.objects.filter(invoice_id__in=batch)
        for payment in payments.values("id", "invoice_id", "reference", "date", "amount"):
            found[(payment["invoice_id"], payment["reference"])] = dict(payment)
    return found


def paid_totals(invoice_ids: Iterable[int], as_of: date | None = None) -> dict[int, Decimal]:
    """Paid on each invoice (payments dated on or before `as_of` when given); unpaid invoices are absent."""
    totals: dict[int, Decimal] = {}
    for batch in chunks(set(invoice_ids)):
        payments = Payment.objects.filter(invoice_id__in=batch)
        if as_of is not None:
            payments = payments.filter(date__lte=as_of)
        for invoice_id, total in (
            payments.values("invoice_id").annotate(total=Sum("amount")).values_list("invoice_id", "total")
        ):
            totals[invoice_id] = Decimal(total).quantize(CENT)
    return totals


def holds_in_effect_q(day: date) -> Q:
    """Holds that cover `day` or a later day: not yet over and not released on or before `day`."""
    return Q(until__gt=day) & (Q(released_on__isnull=True) | Q(released_on__gt=day))


def holds_covering_q(day: date) -> Q:
    """A hold covers the days start <= day < until, and only the days before released_on when it is set."""
    return Q(start__lte=day) & holds_in_effect_q(day)


def holds_covering(workspace: Workspace, day: date, reasons: Sequence[str] | None = None) -> set[int]:
    """Ids of the invoices on hold on `day` (a dispute is a hold with reason `dispute`)."""
    holds = Hold.objects.filter(holds_covering_q(day), workspace=workspace)
    if reasons is not None:
        holds = holds.filter(reason__in=reasons)
    return set(holds.values_list("invoice_id", flat=True))


def disputed_on(workspace: Workspace, day: date) -> set[int]:
    """Ids of the invoices under dispute on `day`."""
    return holds_covering(workspace, day, reasons=[Hold.DISPUTE])


def holds_in_effect(invoice: Invoice, day: date) -> QuerySet[Hold]:
    """The invoice's holds that cover `day` or a later day: what `release` ends."""
    return invoice.holds.filter(holds_in_effect_q(day))
