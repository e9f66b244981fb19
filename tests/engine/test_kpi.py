"""KPI formulas on hand-computed cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from relance.engine import kpi
from relance.engine.kpi import AttributedPayment, InvoiceFacts, MessageOutcome, Reminder, SalesPeriod


def test_attribute_picks_the_latest_reminder_within_the_window():
    reminders = [
        Reminder(1, date(2025, 3, 1)),
        Reminder(2, date(2025, 3, 10)),
        Reminder(3, date(2025, 3, 20)),
    ]
    assert kpi.attribute(date(2025, 3, 15), reminders, 14) == (2, 5)
    assert kpi.attribute(date(2025, 3, 20), reminders, 14) == (3, 0)  # same day counts
    assert kpi.attribute(date(2025, 3, 24), reminders, 14) == (3, 4)
    assert kpi.attribute(date(2025, 4, 3), reminders, 14) == (3, 14)  # the window's last day
    assert kpi.attribute(date(2025, 4, 4), reminders, 14) is None
    assert kpi.attribute(date(2025, 2, 28), reminders, 14) is None  # before any reminder
    assert kpi.attribute(date(2025, 3, 15), [], 14) is None


def test_message_kpis():
    outcomes = [
        MessageOutcome(1, opened=True, clicked=True, converted=True),
        MessageOutcome(2, opened=True, replied=True),
        MessageOutcome(3, bounced=True, opened=True),  # an open of a bounced message does not count
        MessageOutcome(4),
        MessageOutcome(5, converted=True),
    ]
    payments = [
        AttributedPayment(1, 10, D("300.00"), 3, invoice_fully_paid=True),
        AttributedPayment(5, 11, D("100.00"), 10, invoice_fully_paid=False),
        AttributedPayment(5, 12, D("50.50"), 2, invoice_fully_paid=True),
    ]
    reminded = {10: D("300.00"), 11: D("400.00"), 12: D("50.50"), 13: D("250.00")}
    k = kpi.message_kpis(outcomes, payments, reminded)
    assert (k.sent, k.delivered, k.opened, k.clicked, k.replied, k.converted) == (5, 4, 2, 1, 1, 2)
    assert k.open_rate == 0.5  # 2 / 4 delivered
    assert k.click_rate == 0.2  # 1 / 5 sent
    assert k.response_rate == 0.2
    assert k.conversion_rate == 0.4
    assert k.avg_days_to_payment == 5.0  # (3 + 10 + 2) / 3
    assert k.invoices_paid_after_reminder == 2
    assert k.amount_recovered == D("450.50")
    assert k.amount_reminded == D("1000.50")
    assert k.recovery_rate == pytest.approx(450.50 / 1000.50)


def test_rates_are_none_without_a_denominator():
    k = kpi.message_kpis([])
    assert k.open_rate is k.click_rate is k.response_rate is k.conversion_rate is k.recovery_rate is None
    assert k.avg_days_to_payment is None
    assert k.amount_recovered == D("0.00")
    bounced = kpi.message_kpis([MessageOutcome(1, bounced=True)])
    assert bounced.open_rate is None and bounced.click_rate == 0.0


def invoice(issued: str, due: str, amount: str, *payments: tuple[str, str]) -> InvoiceFacts:
    return InvoiceFacts(
        date.fromisoformat(issued),
        date.fromisoformat(due),
        D(amount),
        tuple((date.fromisoformat(day), D(value)) for day, value in payments),
    )


def test_paid_date_is_the_payment_that_completes_the_invoice():
    inv = invoice("2025-01-01", "2025-01-31", "100.00", ("2025-02-20", "60.00"), ("2025-02-05", "40.00"))
    assert kpi.paid_date(inv) == date(2025, 2, 20)
    assert kpi.days_late(inv) == 20
    early = invoice("2025-01-01", "2025-01-31", "100.00", ("2025-01-20", "100.00"))
    assert kpi.days_late(early) == 0
    partly = invoice("2025-01-01", "2025-01-31", "100.00", ("2025-01-20", "99.50"))
    assert kpi.paid_date(partly) is None
    assert kpi.paid_date(partly, tolerance=D("0.50")) == date(2025, 1, 20)


def test_avg_days_late_of_invoices_paid_in_the_period():
    invoices = [
        invoice("2025-01-01", "2025-01-31", "100.00", ("2025-02-10", "100.00")),  # 10 late, in
        invoice("2025-01-01", "2025-02-28", "100.00", ("2025-02-20", "100.00")),  # 0 late, in
        invoice("2025-01-01", "2025-01-31", "100.00", ("2025-03-05", "100.00")),  # out of the period
        invoice("2025-01-01", "2025-01-31", "100.00", ("2025-02-15", "50.00")),  # not fully paid
    ]
    assert kpi.avg_days_late(invoices, date(2025, 2, 1), date(2025, 2, 28)) == 5.0
    assert kpi.avg_days_late(invoices, date(2025, 4, 1), date(2025, 4, 30)) is None


def test_ageing_buckets_and_overdue_balance():
    day = date(2025, 6, 30)
    invoices = [
        invoice("2025-06-01", "2025-07-01", "100.00"),  # not due
        invoice("2025-06-01", "2025-06-30", "10.00"),  # due today: not due
        invoice("2025-05-01", "2025-06-29", "200.00", ("2025-06-10", "50.00")),  # 1 day: 150
        invoice("2025-04-01", "2025-05-31", "300.00"),  # 30 days
        invoice("2025-03-01", "2025-05-30", "400.00"),  # 31 days
        invoice("2025-02-01", "2025-04-01", "500.00"),  # 90 days
        invoice("2025-01-01", "2025-03-31", "600.00", ("2025-07-05", "600.00")),  # 91 days, paid later
        invoice("2025-01-01", "2025-03-01", "700.00", ("2025-06-01", "700.00")),  # paid: not counted
        invoice("2025-07-01", "2025-07-31", "800.00"),  # issued later: not counted
    ]
    assert kpi.ageing(invoices, day) == {
        "not_due": D("110.00"),
        "1_30": D("450.00"),
        "31_60": D("400.00"),
        "61_90": D("500.00"),
        "over_90": D("600.00"),
    }
    assert kpi.overdue_balance(invoices, day) == D("1950.00")
    assert kpi.receivables(invoices, day) == D("2060.00")
    by_month = kpi.overdue_by_month(invoices, date(2025, 5, 15), date(2025, 7, 10))
    assert [d for d, _ in by_month] == [date(2025, 5, 31), date(2025, 6, 30), date(2025, 7, 10)]


def test_shift_months_keeps_month_ends():
    assert kpi.shift_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert kpi.shift_months(date(2025, 2, 28), -1) == date(2025, 1, 31)
    assert kpi.shift_months(date(2024, 3, 15), -1) == date(2024, 2, 15)
    assert kpi.shift_months(date(2025, 1, 15), -2) == date(2024, 11, 15)
    assert kpi.month_ends(date(2025, 1, 31), date(2025, 3, 31)) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
    ]


def test_countback_dso_by_hand():
    # Balance 25,000 on 31 March; sales: March 10,000 (31 d), February 12,000 (28 d), January 9,000 (31 d).
    periods = [
        SalesPeriod(date(2025, 2, 28), date(2025, 3, 31), D("10000")),
        SalesPeriod(date(2025, 1, 31), date(2025, 2, 28), D("12000")),
        SalesPeriod(date(2024, 12, 31), date(2025, 1, 31), D("9000")),
    ]
    # 31 + 28 + 31 x 3,000 / 9,000 = 69.3333
    assert kpi.countback_dso(D("25000"), periods) == pytest.approx(69.33333333)
    assert kpi.countback_dso(D("5000"), periods) == pytest.approx(15.5)
    assert kpi.countback_dso(D("10000"), periods) == pytest.approx(31.0)
    assert kpi.countback_dso(D("0"), periods) == 0.0
    assert kpi.countback_dso(D("10"), []) is None
    empty_month = [SalesPeriod(date(2025, 2, 28), date(2025, 3, 31), D("0")), *periods[1:]]
    assert kpi.countback_dso(D("6000"), empty_month) == pytest.approx(31 + 14.0)


def test_dso_from_invoices():
    invoices = [
        invoice("2025-03-10", "2025-04-09", "1000.00"),  # March sales, open
        invoice("2025-03-20", "2025-04-19", "1000.00", ("2025-03-25", "1000.00")),  # March sales, paid
        invoice("2025-02-10", "2025-03-12", "2000.00", ("2025-03-31", "1000.00")),  # February, 1,000 open
        invoice("2025-01-10", "2025-02-09", "4000.00", ("2025-02-01", "4000.00")),
    ]
    periods = kpi.countback_periods(invoices, date(2025, 3, 31))
    assert [(p.after, p.until, p.sales) for p in periods] == [
        (date(2025, 2, 28), date(2025, 3, 31), D("2000.00")),
        (date(2025, 1, 31), date(2025, 2, 28), D("2000.00")),
        (date(2024, 12, 31), date(2025, 1, 31), D("4000.00")),
    ]
    # Balance 2,000 = March's sales exactly: 31 days.
    assert kpi.dso(invoices, date(2025, 3, 31)) == pytest.approx(31.0)
    assert kpi.dso(invoices, date(2024, 12, 1)) == 0.0  # nothing issued yet, nothing owed
