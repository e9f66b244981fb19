"""Reads for the customers, invoices and messages pages: SQL aggregates, never a loop over a whole table.

What an invoice still owes is its amount minus its payments (a correlated SUM on the covering payment index);
an invoice is *unpaid* while that is above the workspace's tolerance, *overdue* once its due date has passed.
Lists are built in two steps: the ids of one page (filtered and sorted in SQL), then the figures of those
rows only, so a page of 50 costs the same whether the workspace has 500 customers or 20,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from relance.accounts.models import Workspace
from relance.engine.kpi import BUCKETS
from relance.ledger.models import Customer, Hold, Invoice, Payment
from relance.ledger.queries import holds_covering_q
from relance.mail.models import Message

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# Days late of an ageing bucket (kpi.bucket's names): first and last day, None when open-ended.
BUCKET_DAYS: dict[str, tuple[int, int | None]] = {
    "1_30": (1, 30),
    "31_60": (31, 60),
    "61_90": (61, 90),
    "over_90": (91, None),
}
assert set(BUCKET_DAYS) | {"not_due"} == set(BUCKETS)


def cents(value: Decimal | None) -> Decimal:
    """A sum as SQLite returns it (Decimal('12.3000000001')) made an amount in cents."""
    return (value or ZERO).quantize(CENT)


def paid_on(ref: str = "pk") -> Coalesce:
    """What has been paid on the invoice OuterRef(ref), 0 when nothing."""
    paid = (
        Payment.objects.filter(invoice=OuterRef(ref))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO, output_field=MONEY), output_field=MONEY)


def with_outstanding(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotates `paid` and `outstanding` (amount minus payments)."""
    return invoices.annotate(
        paid=paid_on(), outstanding=ExpressionWrapper(F("amount") - F("paid"), output_field=MONEY)
    )


def unpaid(invoices: QuerySet[Invoice], workspace: Workspace) -> QuerySet[Invoice]:
    """Open invoices that still owe more than the tolerance (needs `with_outstanding`)."""
    return invoices.filter(Q(status=Invoice.OPEN) & Q(outstanding__gt=workspace.tolerance))


def due_between(bucket: str, today: date) -> Q:
    """Due dates whose days late on `today` fall in an overdue bucket."""
    first, last = BUCKET_DAYS[bucket]
    q = Q(due_date__lte=today - timedelta(days=first))
    if last is not None:
        q &= Q(due_date__gte=today - timedelta(days=last))
    return q


def held_invoice_ids(workspace: Workspace, today: date) -> QuerySet[Hold, Any]:
    return Hold.objects.filter(holds_covering_q(today), workspace=workspace).values("invoice_id")


def on_hold_today(workspace: Workspace, today: date, ref: str = "pk") -> Exists:
    return Exists(Hold.objects.filter(holds_covering_q(today), workspace=workspace, invoice=OuterRef(ref)))


# --- Customers -------------------------------------------------------------------------------------------

CUSTOMER_STATUSES = ("active", "excluded", "paused", "undeliverable", "complained")
CUSTOMER_SORTS = ("name", "-name", "overdue", "-overdue", "late", "-late")


@dataclass(frozen=True)
class CustomerFilters:
    q: str = ""
    segment: str = ""
    status: str = ""
    ageing: str = ""
    on_hold: bool = False
    sort: str = "name"

    @property
    def heavy(self) -> bool:
        """Filtering or sorting on what customers owe: the aggregate runs over every customer."""
        return bool(self.ageing) or self.sort.lstrip("-") in {"overdue", "late"}


def _customer_invoices() -> QuerySet[Invoice]:
    # No workspace filter here: the outer customer is already the workspace's, and naming the workspace
    # would lead SQLite to the (workspace, status, due_date) index, a scan of every invoice per customer.
    return with_outstanding(Invoice.objects.filter(customer=OuterRef("pk"), status=Invoice.OPEN))


def _per_customer(invoices: QuerySet[Invoice], expression: Any) -> Subquery:
    return Subquery(invoices.order_by().values("customer").annotate(value=expression).values("value"))


def oldest_overdue_due_date(workspace: Workspace, today: date) -> Subquery:
    """The due date of the customer's oldest unpaid overdue invoice."""
    invoices = unpaid(_customer_invoices(), workspace).filter(due_date__lt=today)
    return _per_customer(invoices, Min("due_date"))


def overdue_total(today: date) -> Subquery:
    """What the customer's overdue invoices still owe (all currencies added: for sorting only)."""
    invoices = _customer_invoices().filter(due_date__lt=today)
    return _per_customer(invoices, Sum("outstanding"))


def filter_customers(workspace: Workspace, filters: CustomerFilters, today: date) -> QuerySet[Customer]:
    """The workspace's customers that match, in the requested order (only their ids are meant to be read)."""
    customers = Customer.objects.filter(workspace=workspace)
    if filters.q:
        q = filters.q.strip()
        customers = customers.filter(
            Q(name__icontains=q)
            | Q(external_id__icontains=q)
            | Q(email__icontains=q)
            | Q(contact_name__icontains=q)
        )
    if filters.segment:
        customers = customers.filter(segment=filters.segment)
    if filters.status == "active":
        customers = customers.filter(excluded=False, paused=False, undeliverable=False, complained=False)
    elif filters.status in CUSTOMER_STATUSES:
        customers = customers.filter(**{filters.status: True})
    if filters.on_hold:
        held = held_invoice_ids(workspace, today)
        customers = customers.filter(pk__in=Invoice.objects.filter(pk__in=held).values("customer_id"))
    sort = filters.sort if filters.sort in CUSTOMER_SORTS else "name"
    if filters.ageing or sort.lstrip("-") == "late":
        customers = customers.annotate(oldest_due=oldest_overdue_due_date(workspace, today))
    if filters.ageing == "not_due":
        owing = unpaid(_customer_invoices(), workspace)
        customers = customers.filter(Q(oldest_due__isnull=True) & Exists(owing))
    elif filters.ageing in BUCKET_DAYS:
        first, last = BUCKET_DAYS[filters.ageing]
        customers = customers.filter(Q(oldest_due__lte=today - timedelta(days=first)))
        if last is not None:
            customers = customers.filter(Q(oldest_due__gte=today - timedelta(days=last)))
    if sort.lstrip("-") == "overdue":
        customers = customers.annotate(overdue_sum=overdue_total(today))
        order = (
            F("overdue_sum").desc(nulls_last=True)
            if sort == "overdue"
            else F("overdue_sum").asc(nulls_first=True)
        )
        return customers.order_by(order, "name", "pk")
    if sort.lstrip("-") == "late":  # most days late = the oldest due date first
        order = (
            F("oldest_due").asc(nulls_last=True) if sort == "late" else F("oldest_due").desc(nulls_first=True)
        )
        return customers.order_by(order, "name", "pk")
    return customers.order_by("-name" if sort == "-name" else "name", "pk")


@dataclass
class Balance:
    """What one customer owes in one currency."""

    currency: str
    balance: Decimal = ZERO
    overdue: Decimal = ZERO


@dataclass
class CustomerRow:
    customer: Customer
    balances: list[Balance] = field(default_factory=list)
    oldest_due: date | None = None
    days_late: int | None = None
    last_message_date: date | None = None
    last_message_stage: str = ""
    on_hold: bool = False


def customer_rows(workspace: Workspace, ids: Sequence[int], today: date) -> list[CustomerRow]:
    """The figures of these customers, in the order of `ids`: two queries whatever their invoices."""
    ids = list(ids)
    if not ids:
        return []
    last_message = (
        Message.objects.filter(customer=OuterRef("pk"))
        .exclude(status=Message.CANCELLED)
        .order_by("-run_date", "-pk")
    )
    held = held_invoice_ids(workspace, today)
    customers = Customer.objects.filter(workspace=workspace, pk__in=ids).select_related("workspace")
    customers = customers.annotate(
        last_message_date=Subquery(last_message.values("run_date")[:1]),
        last_message_stage=Subquery(last_message.values("stage")[:1]),
        on_hold=Exists(Invoice.objects.filter(customer=OuterRef("pk"), pk__in=held)),
    )
    rows = {c.pk: CustomerRow(c, last_message_date=c.last_message_date, on_hold=c.on_hold) for c in customers}
    for row in rows.values():
        row.last_message_stage = row.customer.last_message_stage or ""  # type: ignore[attr-defined]
    # Only customers of the workspace (found above) are asked about; see _customer_invoices on the index.
    owing = unpaid(with_outstanding(Invoice.objects.filter(customer_id__in=list(rows))), workspace)
    figures = (
        owing.order_by()
        .values("customer_id", "currency")
        .annotate(
            balance=Sum("outstanding"),
            overdue=Sum("outstanding", filter=Q(due_date__lt=today)),
            oldest=Min("due_date", filter=Q(due_date__lt=today)),
        )
        .order_by("customer_id", "currency")
    )
    for line in figures:
        row = rows[line["customer_id"]]
        row.balances.append(Balance(line["currency"], cents(line["balance"]), cents(line["overdue"])))
        if line["oldest"] is not None and (row.oldest_due is None or line["oldest"] < row.oldest_due):
            row.oldest_due = line["oldest"]
    for row in rows.values():
        if row.oldest_due is not None:
            row.days_late = (today - row.oldest_due).days
    return [rows[pk] for pk in ids if pk in rows]


def segments(workspace: Workspace) -> list[str]:
    return list(
        Customer.objects.filter(workspace=workspace)
        .exclude(segment="")
        .order_by("segment")
        .values_list("segment", flat=True)
        .distinct()
    )


# --- Invoices --------------------------------------------------------------------------------------------

INVOICE_STATUSES = ("open", "overdue", "paid", "void", "all")
INVOICE_SORTS = ("due", "-due", "number", "-number", "amount", "-amount")


@dataclass(frozen=True)
class InvoiceFilters:
    q: str = ""
    status: str = "open"
    ageing: str = ""
    on_hold: bool = False
    currency: str = ""
    customer: int | None = None
    sort: str = "due"


def filter_invoices(workspace: Workspace, filters: InvoiceFilters, today: date) -> QuerySet[Invoice]:
    invoices = with_outstanding(Invoice.objects.filter(workspace=workspace))
    if filters.q:
        q = filters.q.strip()
        # The matching customers are found once (a small set), not joined to every invoice.
        customers = Customer.objects.filter(workspace=workspace).filter(
            Q(name__icontains=q) | Q(external_id__icontains=q)
        )
        invoices = invoices.filter(Q(number__icontains=q) | Q(customer_id__in=customers.values("pk")))
    if filters.customer:
        invoices = invoices.filter(customer_id=filters.customer)
    if filters.currency:
        invoices = invoices.filter(currency=filters.currency)
    tolerance = workspace.tolerance
    if filters.status == "open":
        invoices = invoices.filter(Q(status=Invoice.OPEN) & Q(outstanding__gt=tolerance))
    elif filters.status == "overdue":
        invoices = invoices.filter(
            Q(status=Invoice.OPEN) & Q(outstanding__gt=tolerance) & Q(due_date__lt=today)
        )
    elif filters.status == "paid":
        invoices = invoices.filter(Q(status=Invoice.OPEN) & Q(outstanding__lte=tolerance))
    elif filters.status == "void":
        invoices = invoices.filter(status=Invoice.VOID)
    if filters.ageing == "not_due":
        invoices = invoices.filter(due_date__gte=today)
    elif filters.ageing in BUCKET_DAYS:
        invoices = invoices.filter(due_between(filters.ageing, today))
    if filters.on_hold:
        invoices = invoices.filter(pk__in=held_invoice_ids(workspace, today))
    sort = filters.sort if filters.sort in INVOICE_SORTS else "due"
    field_name = {"due": "due_date", "number": "number", "amount": "amount"}[sort.lstrip("-")]
    return invoices.order_by(f"-{field_name}" if sort.startswith("-") else field_name, "pk")


@dataclass
class Totals:
    currency: str
    count: int
    amount: Decimal
    outstanding: Decimal


def invoice_totals(invoices: QuerySet[Invoice]) -> list[Totals]:
    """Count, amount and outstanding of a filtered set of invoices, by currency: one query."""
    rows = (
        invoices.order_by()
        .values("currency")
        .annotate(n=Count("pk"), total=Sum("amount"), owed=Sum("outstanding"))
        .order_by("currency")
    )
    return [Totals(r["currency"], r["n"], cents(r["total"]), cents(r["owed"])) for r in rows]


def invoice_rows(workspace: Workspace, ids: Sequence[int], today: date) -> list[Invoice]:
    """The invoices of one page, in the order of `ids`, with what they still owe, their customer and
    whether they are on hold today (`held`)."""
    invoices = with_outstanding(Invoice.objects.filter(workspace=workspace, pk__in=list(ids)))
    invoices = invoices.select_related("customer").annotate(held=on_hold_today(workspace, today))
    by_id = {invoice.pk: invoice for invoice in invoices}
    for invoice in by_id.values():
        invoice.days_late = (today - invoice.due_date).days  # type: ignore[attr-defined]
    return [by_id[pk] for pk in ids if pk in by_id]


def currencies(workspace: Workspace) -> list[str]:
    return list(
        Invoice.objects.filter(workspace=workspace)
        .order_by("currency")
        .values_list("currency", flat=True)
        .distinct()
    )


# --- Messages --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageFilters:
    q: str = ""
    status: str = ""
    stage: str = ""
    start: date | None = None
    end: date | None = None
    customer: int | None = None


def filter_messages(workspace: Workspace, filters: MessageFilters) -> QuerySet[Message]:
    messages = Message.objects.filter(workspace=workspace)
    if filters.q:
        q = filters.q.strip()
        messages = messages.filter(
            Q(to__icontains=q) | Q(subject__icontains=q) | Q(customer__name__icontains=q)
        )
    if filters.status:
        messages = messages.filter(status=filters.status)
    if filters.stage:
        messages = messages.filter(stage=filters.stage)
    if filters.start:
        messages = messages.filter(run_date__gte=filters.start)
    if filters.end:
        messages = messages.filter(run_date__lte=filters.end)
    if filters.customer:
        messages = messages.filter(customer_id=filters.customer)
    return messages.order_by("-run_date", "-pk")


def message_rows(workspace: Workspace, ids: Sequence[int]) -> list[Message]:
    """The messages of one page with their customer and their last tracking event (kind and time)."""
    from relance.tracking.models import Event

    last_event = Event.objects.filter(message=OuterRef("pk")).order_by("-occurred_at", "-pk")
    messages = Message.objects.filter(workspace=workspace, pk__in=list(ids)).select_related("customer")
    messages = messages.annotate(
        last_event_kind=Subquery(last_event.values("kind")[:1]),
        last_event_at=Subquery(last_event.values("occurred_at")[:1]),
    ).defer("text_body", "html_body")
    by_id = {m.pk: m for m in messages}
    return [by_id[pk] for pk in ids if pk in by_id]


def stages(workspace: Workspace) -> list[str]:
    """The stages a message filter offers: the known ones and those of the workspace's policies."""
    from relance.dunning.models import Policy
    from relance.engine.policy import KNOWN_STAGES

    found = list(KNOWN_STAGES)
    for definition in Policy.objects.filter(workspace=workspace).values_list("definition", flat=True):
        for step in definition.get("steps", []) if isinstance(definition, dict) else []:
            if isinstance(step, dict) and step.get("stage") and step["stage"] not in found:
                found.append(step["stage"])
    return found
