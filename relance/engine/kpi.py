"""Dunning KPIs as pure formulas: dataclasses in, numbers out. No Django, no clock; money is Decimal.

Two families:

Message KPIs (what the reminders did), over a set of sent messages:
    sent                  messages with status sent
    delivered             sent - bounced (a message is bounced when any "bounced" event was recorded for it)
    open_rate             unique delivered messages opened / delivered. Approximate: privacy proxies (Apple
                          Mail Privacy Protection, Gmail's image proxy) pre-fetch the pixel, and clients
                          that block images never fetch it.
    click_rate            unique messages clicked / sent (the seed's formula: the denominator is sent)
    response_rate         unique messages replied to (auto-replies excluded) / sent
    conversion_rate       messages credited with at least one attributed payment / sent
    avg_days_to_payment   mean of days_after over the attributed payments (payment date - message run date)
    invoices_paid_after_reminder   distinct fully paid invoices having an attributed payment
    amount_recovered      sum of the attributed payments
    recovery_rate         amount_recovered / amount reminded, where amount reminded = for each distinct
                          invoice carried by the messages, its outstanding amount when first reminded among
                          them (the largest MessageItem.outstanding), summed
A rate is None when its denominator is 0.

Ledger KPIs (the receivables themselves), over invoices with their dated payments:
    outstanding(inv, d)   amount - payments dated <= d (never negative); an invoice is open on d when it was
                          issued on or before d and its outstanding is above the workspace tolerance
    paid date             the date of the payment that brought the outstanding to the tolerance or below
                          (payments taken in date order)
    days late             max(0, paid date - due date)
    avg_days_late         mean days late of the invoices whose paid date falls in [start, end]
    ageing(d)             outstanding of the invoices open on d, by days past due (d - due date):
                          not_due (<= 0), 1_30, 31_60, 61_90, over_90
    overdue balance(d)    outstanding of the invoices open on d whose due date is before d
    DSO (countback)       see `countback_dso`
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal("0.00")
BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")
TARGETS = {"open_rate": 0.20, "click_rate": 0.03}


def ratio(numerator: float | Decimal | int, denominator: float | Decimal | int) -> float | None:
    """numerator / denominator as a float, None when the denominator is 0."""
    if not denominator:
        return None
    return float(Decimal(numerator) / Decimal(denominator))


def mean(values: Sequence[float | int]) -> float | None:
    return sum(values) / len(values) if values else None


# --- attribution -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    """A delivered reminder (sent, not bounced) that carried the invoice, dated by its run date."""

    message_id: int
    day: date
    sent_order: tuple[object, ...] = ()  # tie-break between reminders of the same day: later wins


def attribute(payment_day: date, reminders: Iterable[Reminder], window_days: int) -> tuple[int, int] | None:
    """The (message id, days after) a payment is credited to: the latest reminder dated on or before the
    payment and at most `window_days` before it (0 <= payment - reminder <= window). None when there is none.

    Days are counted from the message's run date (not the sent_at timestamp) so that backfilled runs and live
    runs attribute alike; a same-day payment (days_after 0) counts, payments carrying a date but no time."""
    eligible = [r for r in reminders if 0 <= (payment_day - r.day).days <= window_days]
    if not eligible:
        return None
    latest = max(eligible, key=lambda r: (r.day, r.sent_order, r.message_id))
    return latest.message_id, (payment_day - latest.day).days


# --- message KPIs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageOutcome:
    message_id: int
    bounced: bool = False
    opened: bool = False
    clicked: bool = False
    replied: bool = False
    converted: bool = False  # at least one payment attributed to it


@dataclass(frozen=True)
class AttributedPayment:
    message_id: int
    invoice_id: int
    amount: Decimal
    days_after: int
    invoice_fully_paid: bool


@dataclass(frozen=True)
class MessageKpis:
    sent: int
    delivered: int
    opened: int
    clicked: int
    replied: int
    converted: int
    open_rate: float | None
    click_rate: float | None
    response_rate: float | None
    conversion_rate: float | None
    avg_days_to_payment: float | None
    invoices_paid_after_reminder: int
    amount_recovered: Decimal
    amount_reminded: Decimal
    recovery_rate: float | None


def message_kpis(
    outcomes: Sequence[MessageOutcome],
    payments: Sequence[AttributedPayment] = (),
    reminded: dict[int, Decimal] | None = None,
) -> MessageKpis:
    """`payments`: the payments attributed to these messages; `reminded`: invoice id -> outstanding amount
    when first reminded by these messages (see the module's docstring)."""
    sent = len(outcomes)
    delivered = sum(1 for o in outcomes if not o.bounced)
    opened = sum(1 for o in outcomes if o.opened and not o.bounced)
    clicked = sum(1 for o in outcomes if o.clicked)
    replied = sum(1 for o in outcomes if o.replied)
    converted = sum(1 for o in outcomes if o.converted)
    recovered = amount_recovered(payments)
    amount_reminded = sum((reminded or {}).values(), ZERO)
    return MessageKpis(
        sent=sent,
        delivered=delivered,
        opened=opened,
        clicked=clicked,
        replied=replied,
        converted=converted,
        open_rate=ratio(opened, delivered),
        click_rate=ratio(clicked, sent),
        response_rate=ratio(replied, sent),
        conversion_rate=ratio(converted, sent),
        avg_days_to_payment=avg_days_to_payment(payments),
        invoices_paid_after_reminder=invoices_paid_after_reminder(payments),
        amount_recovered=recovered,
        amount_reminded=amount_reminded,
        recovery_rate=ratio(recovered, amount_reminded),
    )


def avg_days_to_payment(payments: Sequence[AttributedPayment]) -> float | None:
    return mean([p.days_after for p in payments])


def invoices_paid_after_reminder(payments: Sequence[AttributedPayment]) -> int:
    return len({p.invoice_id for p in payments if p.invoice_fully_paid})


def amount_recovered(payments: Sequence[AttributedPayment]) -> Decimal:
    return sum((p.amount for p in payments), ZERO)


# --- ledger KPIs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceFacts:
    issue_date: date
    due_date: date
    amount: Decimal
    payments: tuple[tuple[date, Decimal], ...] = field(default=())  # (date, amount), any order


def paid_to(invoice: InvoiceFacts, day: date) -> Decimal:
    return sum((amount for when, amount in invoice.payments if when <= day), ZERO)


def outstanding(invoice: InvoiceFacts, day: date) -> Decimal:
    return max(invoice.amount - paid_to(invoice, day), ZERO)


def is_open(invoice: InvoiceFacts, day: date, tolerance: Decimal = ZERO) -> bool:
    return invoice.issue_date <= day and outstanding(invoice, day) > tolerance


def paid_date(invoice: InvoiceFacts, tolerance: Decimal = ZERO) -> date | None:
    """The date of the payment that made the invoice fully paid; None while it is not."""
    paid = ZERO
    for when, amount in sorted(invoice.payments, key=lambda p: p[0]):
        paid += amount
        if invoice.amount - paid <= tolerance:
            return when
    return None


def days_late(invoice: InvoiceFacts, tolerance: Decimal = ZERO) -> int | None:
    paid = paid_date(invoice, tolerance)
    return None if paid is None else max(0, (paid - invoice.due_date).days)


def avg_days_late(
    invoices: Iterable[InvoiceFacts], start: date, end: date, tolerance: Decimal = ZERO
) -> float | None:
    """Mean days late of the invoices fully paid on a day in [start, end]."""
    late: list[int] = []
    for invoice in invoices:
        paid = paid_date(invoice, tolerance)
        if paid is not None and start <= paid <= end:
            late.append(max(0, (paid - invoice.due_date).days))
    return mean(late)


def bucket(days_past_due: int) -> str:
    if days_past_due <= 0:
        return "not_due"
    if days_past_due <= 30:
        return "1_30"
    if days_past_due <= 60:
        return "31_60"
    if days_past_due <= 90:
        return "61_90"
    return "over_90"


def ageing(invoices: Iterable[InvoiceFacts], day: date, tolerance: Decimal = ZERO) -> dict[str, Decimal]:
    """Outstanding amounts of the invoices open on `day`, by days past due on that day."""
    buckets = dict.fromkeys(BUCKETS, ZERO)
    for invoice in invoices:
        if is_open(invoice, day, tolerance):
            buckets[bucket((day - invoice.due_date).days)] += outstanding(invoice, day)
    return buckets


def receivables(invoices: Iterable[InvoiceFacts], day: date, tolerance: Decimal = ZERO) -> Decimal:
    return sum((outstanding(i, day) for i in invoices if is_open(i, day, tolerance)), ZERO)


def overdue_balance(invoices: Iterable[InvoiceFacts], day: date, tolerance: Decimal = ZERO) -> Decimal:
    return sum(
        (outstanding(i, day) for i in invoices if is_open(i, day, tolerance) and i.due_date < day), ZERO
    )


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_ends(start: date, end: date) -> list[date]:
    """The last day of each month between start and end (inclusive), then `end` itself when it is not one."""
    days: list[date] = []
    current = month_end(start)
    while current <= end:
        days.append(current)
        current = month_end(current + timedelta(days=1))
    if not days or days[-1] != end:
        days.append(end)
    return days


def overdue_by_month(
    invoices: Sequence[InvoiceFacts], start: date, end: date, tolerance: Decimal = ZERO
) -> list[tuple[date, Decimal]]:
    return [(day, overdue_balance(invoices, day, tolerance)) for day in month_ends(start, end)]


def shift_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months; a month end stays a month end, other days are clamped."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    if day == month_end(day):
        return date(year, month + 1, last)
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class SalesPeriod:
    """One month of the countback, most recent first: (after, until] with its days and its sales."""

    after: date
    until: date
    sales: Decimal

    @property
    def days(self) -> int:
        return (self.until - self.after).days


def countback_periods(invoices: Sequence[InvoiceFacts], day: date) -> list[SalesPeriod]:
    """Month windows counted back from `day` - (shift(day, -1), day], (shift(day, -2), shift(day, -1)], ...
    - down to the one holding the earliest invoice, each with the amounts invoiced in it."""
    issued = [i for i in invoices if i.issue_date <= day]
    if not issued:
        return []
    earliest = min(i.issue_date for i in issued)
    periods: list[SalesPeriod] = []
    until, k = day, 0
    while until >= earliest:
        k += 1
        after = shift_months(day, -k)
        sales = sum((i.amount for i in issued if after < i.issue_date <= until), ZERO)
        periods.append(SalesPeriod(after, until, sales))
        until = after
    return periods


def countback_dso(balance: Decimal, periods: Sequence[SalesPeriod]) -> float | None:
    """Days sales outstanding by the countback method.

    Start with the receivables balance at the period end. Walk the month windows back from the period end
    (most recent first): while the remaining balance exceeds the window's sales, add all the window's days and
    take its sales off the balance; at the first window whose sales cover what remains, add the fraction
    days x remaining / sales and stop. A window without sales adds all its days. 0 when nothing is owed;
    None when there is a balance but no sales history to count it back against."""
    remaining = balance
    if remaining <= 0:
        return 0.0
    total = Decimal(0)
    for period in periods:
        if remaining > period.sales:
            total += period.days
            remaining -= period.sales
        else:
            total += Decimal(period.days) * remaining / period.sales
            return float(total)
    return float(total) if periods else None


def dso(invoices: Sequence[InvoiceFacts], day: date, tolerance: Decimal = ZERO) -> float | None:
    return countback_dso(receivables(invoices, day, tolerance), countback_periods(invoices, day))
