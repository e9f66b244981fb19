"""Request and response bodies. Money is a decimal string with two decimals ("1200.00"), never a float;
dates are ISO (YYYY-MM-DD), times ISO 8601 in UTC.

Ledger rows are sent as the text a CSV cell would hold and checked by the importer itself, so that the API
accepts exactly what `relance import` accepts and refuses it with the same messages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Path, Schema
from pydantic import AfterValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from relance.engine.money import format_plain

MONEY_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"
MONEY_SCHEMA = {"type": "string", "pattern": MONEY_PATTERN, "examples": ["1200.00"]}
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
MAX_ID = 2**63 - 1
MAX_ROWS = 10_000


def _clean_text(value: str) -> str:
    """No NUL character (PostgreSQL refuses it) and no lone surrogate (not encodable as UTF-8)."""
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid UTF-8 text") from None
    return value


def _in_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
Day = Annotated[date, AfterValidator(_in_range)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Keys in paths: a customer_id or an invoice number may hold "/" (send it as is or percent-encoded).
CustomerKey = Annotated[Text, Path(example="C-1001", description="the customer's customer_id")]
InvoiceNumber = Annotated[Text, Path(example="F-2026-0042", description="the invoice number")]
MessageId = Annotated[Id, Path(example=1, description="the message's id")]
# Money read from the database (Decimal), written as "1234.50".
Money = Annotated[Decimal, PlainSerializer(format_plain, return_type=str), WithJsonSchema(MONEY_SCHEMA)]
# Money that is already text (reports): the same format, checked.
MoneyText = Annotated[str, Field(pattern=MONEY_PATTERN, examples=["1200.00"])]


# --- pagination ----------------------------------------------------------------------------------------


class Paging(Schema):
    limit: int = Field(50, ge=1, le=500, description="items per page (at most 500)")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="items to skip")


class PageMeta(Schema):
    count: int = Field(description="items matching the filters, all pages together")
    limit: int
    offset: int


# --- customers -----------------------------------------------------------------------------------------


class CustomerIn(Schema):
    """A customer as an import row: absent fields keep their value on an existing customer (new ones take
    the default), null or "" empties them. Tags: a list (or one text separated by | or ;)."""

    model_config = ConfigDict(extra="forbid")

    customer_id: Text = Field(examples=["C-1001"])
    name: Text = Field(examples=["Dupont SARL"])
    email: Text = Field(examples=["compta@dupont.example"])
    contact_name: Text | None = None
    language: Text | None = Field(None, examples=["fr"])
    country: Text | None = Field(None, examples=["FR"])
    timezone: Text | None = Field(None, examples=["Europe/Paris"])
    segment: Text | None = None
    tags: list[Text] | Text | None = None
    policy: Text | None = None


class CustomerOut(Schema):
    customer_id: str
    name: str
    email: str
    contact_name: str
    language: str
    country: str
    timezone: str
    segment: str
    tags: list[str]
    policy: str
    excluded: bool
    excluded_reason: str
    undeliverable: bool
    complained: bool
    paused: bool
    pre_due_opt_out: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_id(obj: Any) -> str:
        return str(obj.external_id)

    @staticmethod
    def resolve_policy(obj: Any) -> str:
        return str(obj.pinned_policy)

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [str(tag) for tag in obj.tags] if isinstance(obj.tags, list) else []


class CustomerPage(PageMeta):
    items: list[CustomerOut]


class CustomerFilters(Schema):
    search: Text | None = Field(None, description="in the customer id, name or e-mail (any case)")
    segment: Text | None = None
    excluded: bool | None = None


class CustomerImportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rows: list[CustomerIn] = Field(max_length=MAX_ROWS)
    dry_run: bool = False


class ExcludeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field("", max_length=200)


# --- invoices ------------------------------------------------------------------------------------------


class InvoiceIn(Schema):
    """An invoice as an import row. Dates YYYY-MM-DD; amount a decimal string such as "1200.00"."""

    model_config = ConfigDict(extra="forbid")

    number: Text = Field(examples=["F-2026-0042"])
    customer_id: Text = Field(examples=["C-1001"])
    issue_date: Text = Field(examples=["2026-03-01"])
    due_date: Text = Field(examples=["2026-03-31"])
    amount: Text = Field(examples=["1200.00"])
    currency: Text = Field(examples=["EUR"])
    status: Text | None = Field(None, examples=["open"], description="open (default) or void")
    pdf_url: Text | None = None
    payment_url: Text | None = None


class InvoiceOut(Schema):
    number: str
    customer_id: str
    issue_date: date
    due_date: date
    amount: Money
    currency: str
    status: str = Field(description="open or void")
    amount_paid: Money
    outstanding: Money
    paid: bool = Field(description="what is left is at most the workspace's tolerance")
    pdf_url: str
    payment_url: str
    created_at: datetime
    updated_at: datetime


class InvoicePage(PageMeta):
    items: list[InvoiceOut]


class InvoiceFilters(Schema):
    status: Literal["open", "void"] | None = None
    customer: Text | None = Field(None, description="the customer's customer_id")
    paid: bool | None = None
    overdue: bool | None = Field(None, description="open, past its due date today and not paid")
    due_before: Day | None = Field(None, description="due on or before this day")
    due_after: Day | None = Field(None, description="due on or after this day")


class InvoiceImportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rows: list[InvoiceIn] = Field(max_length=MAX_ROWS)
    dry_run: bool = False


# --- payments ------------------------------------------------------------------------------------------


class PaymentIn(Schema):
    """A payment as an import row; (invoice_number, reference) is its key."""

    model_config = ConfigDict(extra="forbid")

    invoice_number: Text = Field(examples=["F-2026-0042"])
    date: Text = Field(examples=["2026-04-02"])
    amount: Text = Field(examples=["600.00"])
    reference: Text = Field(examples=["VIR-20260402-17"])


class PaymentOut(Schema):
    invoice_number: str
    customer_id: str
    date: date
    amount: Money
    reference: str
    attributed_to: int | None = Field(description="the reminder (message id) this payment is credited to")
    created_at: datetime


class PaymentPage(PageMeta):
    items: list[PaymentOut]


class PaymentFilters(Schema):
    invoice: Text | None = Field(None, description="the invoice number")
    customer: Text | None = Field(None, description="the customer's customer_id")
    date_from: Day | None = Field(None, description="paid on or after this day")
    date_to: Day | None = Field(None, description="paid on or before this day")


class PaymentImportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rows: list[PaymentIn] = Field(max_length=MAX_ROWS)
    dry_run: bool = False


class ImportOut(Schema):
    kind: str
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    warnings: list[str]


# --- holds ---------------------------------------------------------------------------------------------


class HoldIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Literal["dispute", "promise", "other"]
    until: Day = Field(description="first day chased again")
    start: Day | None = Field(None, description="first day held (default: today in the workspace)")
    note: Text = Field("", max_length=2000)


class HoldOut(Schema):
    id: int
    invoice_number: str
    customer_id: str
    reason: str
    start: date
    until: date
    released_on: date | None
    note: str
    created_at: datetime


class HoldPage(PageMeta):
    items: list[HoldOut]


class HoldFilters(Schema):
    invoice: Text | None = Field(None, description="the invoice number")
    customer: Text | None = Field(None, description="the customer's customer_id")
    reason: Literal["dispute", "promise", "other"] | None = None
    active: bool | None = Field(None, description="in effect today or later (not over, not released)")


class ReleaseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    on: Day | None = Field(None, description="release day (default: today in the workspace)")


class ReleaseOut(Schema):
    invoice_number: str
    released: int = Field(description="holds ended (0 when none was in effect)")


# --- messages ------------------------------------------------------------------------------------------

MessageStatus = Literal["queued", "awaiting_approval", "sending", "sent", "failed", "cancelled"]


class MessageOut(Schema):
    """A message as `relance messages --json` shows it, plus its approval time and A/B variant."""

    id: int
    customer_id: str
    stage: str
    invoices: list[str] = Field(description="numbers of the invoices that reached a step in it")
    total_due: MoneyText
    currency: str
    to: str
    from_: str = Field(alias="from")
    subject: str
    status: str
    run_date: str = Field(json_schema_extra={"format": "date"})
    sent_at: str | None
    not_before: str | None
    template: str
    template_version: str
    policy: str
    attempts: int
    last_error: str
    approved_at: str | None
    variant: str


class MessagePage(PageMeta):
    items: list[MessageOut]


class MessageFilters(Schema):
    status: MessageStatus | None = None
    stage: Text | None = None
    customer: Text | None = Field(None, description="the customer's customer_id")
    run_from: Day | None = Field(None, description="run on or after this day")
    run_to: Day | None = Field(None, description="run on or before this day")


class MessageItemOut(Schema):
    invoice_number: str
    stage: str
    step_index: int
    outstanding: Money


class EventOut(Schema):
    kind: str
    occurred_at: datetime
    source: str
    recipient: str
    url: str
    bounce_kind: str
    status_code: str
    reason: str


class MessageDetail(MessageOut):
    language: str
    reply_to: str
    headers: dict[str, str]
    text_body: str
    html_body: str
    items: list[MessageItemOut]
    events: list[EventOut]


class SkipIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field("", max_length=500, description="kept with the cancelled message")


class ApprovalOut(MessageOut):
    delivery_problem: str | None = Field(
        description="why it could not be handed to the sender now (it stays queued), or null"
    )


# --- reports -------------------------------------------------------------------------------------------


class MessageKpis(Schema):
    sent: int
    delivered: int
    open_rate: float | None
    click_rate: float | None
    response_rate: float | None
    conversion_rate: float | None
    avg_days_to_payment: float | None
    invoices_paid_after_reminder: int
    amount_recovered: MoneyText
    recovery_rate: float | None


class KpiGroup(MessageKpis):
    group: str


class OverdueAt(Schema):
    date: str = Field(json_schema_extra={"format": "date"})
    overdue: MoneyText


class KpiReport(MessageKpis):
    """The same object as `relance report --json`."""

    workspace: str
    from_: str = Field(alias="from", json_schema_extra={"format": "date"})
    to: str = Field(json_schema_extra={"format": "date"})
    amount_reminded: MoneyText
    dso: float | None
    avg_days_late: float | None
    receivables: MoneyText
    ageing: dict[str, MoneyText]
    overdue_by_month: list[OverdueAt]
    targets: dict[str, float]
    currencies: list[str]
    notes: list[str]
    by: str | None = None
    groups: list[KpiGroup] | None = None
