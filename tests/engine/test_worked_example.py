"""DESIGN.md's worked example, replayed day by day through the planner.

Policy: pre_due -3, first +2, second +10, final +20; min_days_between_messages 4; every day allowed.
Customer X has invoice A due 1 March and invoice B due 8 March; A is paid on 15 March.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from relance.engine.calendar import BusinessCalendar
from relance.engine.planner import CustomerState, InvoiceState, PlannedMessage, plan_customer
from relance.engine.policy import parse_policy

POLICY = parse_policy(
    {
        "name": "worked-example",
        "min_days_between_messages": 4,
        "business_days_only": False,
        "steps": [
            {"stage": "pre_due", "offset_days": -3, "template": "pre_due"},
            {"stage": "first", "offset_days": 2, "template": "first"},
            {"stage": "second", "offset_days": 10, "template": "second"},
            {"stage": "final", "offset_days": 20, "template": "final"},
        ],
    }
)
CALENDAR = BusinessCalendar("FR")
DUE = {"A": date(2026, 3, 1), "B": date(2026, 3, 8)}
PAID_ON = {"A": date(2026, 3, 15)}
FIRST_DAY = date(2026, 2, 15)
LAST_DAY = date(2026, 5, 31)


def _invoice_on(number: str, key: int, day: date, reached: set[str]) -> InvoiceState:
    paid_on = PAID_ON.get(number)
    return InvoiceState(
        key=key,
        number=number,
        due_date=DUE[number],
        outstanding=Decimal("1200.00"),
        currency="EUR",
        chaseable=paid_on is None or day < paid_on,
        reached=frozenset(reached),
    )


def simulate(run_days: set[date] | None = None) -> dict[date, PlannedMessage]:
    """Plan every run day, apply each planned message (stages reached, last message date) and go on."""
    reached: dict[str, set[str]] = {number: set() for number in DUE}
    last_message: date | None = None
    sent: dict[date, PlannedMessage] = {}
    day = FIRST_DAY
    while day <= LAST_DAY:
        if run_days is None or day in run_days:
            customer = CustomerState(
                key=1,
                policy=POLICY,
                invoices=tuple(_invoice_on(n, k, day, reached[n]) for k, n in enumerate(DUE, start=1)),
                last_message_date=last_message,
            )
            planned = plan_customer(customer, day, CALENDAR)
            if planned is not None:
                sent[day] = planned
                last_message = day
                for item in planned.items:
                    reached[item.invoice.number].add(item.step.stage)
                # Re-running the same day, with the message applied, plans nothing more.
                assert plan_customer(replace(customer, last_message_date=day), day, CALENDAR) is None
        day += timedelta(days=1)
    return sent


def summary(planned: PlannedMessage) -> tuple[str, list[tuple[str, str]]]:
    return planned.stage, [(item.invoice.number, item.step.stage) for item in planned.items]


def test_worked_example_sends_exactly_the_six_messages_of_the_design() -> None:
    sent = simulate()

    assert {day: summary(planned) for day, planned in sent.items()} == {
        date(2026, 2, 26): ("pre_due", [("A", "pre_due")]),
        date(2026, 3, 3): ("first", [("A", "first")]),
        date(2026, 3, 7): ("pre_due", [("B", "pre_due")]),
        date(2026, 3, 11): ("second", [("A", "second"), ("B", "first")]),
        date(2026, 3, 18): ("second", [("B", "second")]),
        date(2026, 3, 28): ("final", [("B", "final")]),
    }


def test_pre_due_reminder_goes_out_three_days_before_the_due_date() -> None:
    sent = simulate()

    assert summary(sent[date(2026, 2, 26)]) == ("pre_due", [("A", "pre_due")])
    assert not any(day < date(2026, 2, 26) for day in sent)


def test_step_due_inside_the_minimum_gap_waits_for_the_gap_to_end() -> None:
    sent = simulate()

    # 5 Mar: B's pre_due is due but only 2 days have passed since 3 Mar; it goes out on 7 Mar (3 + 4).
    assert date(2026, 3, 5) not in sent
    assert summary(sent[date(2026, 3, 7)]) == ("pre_due", [("B", "pre_due")])
    # 10 Mar: B's first is due but only 3 days have passed since 7 Mar; it goes out on 11 Mar.
    assert date(2026, 3, 10) not in sent


def test_one_message_carries_every_due_invoice_at_the_most_advanced_stage() -> None:
    planned = simulate()[date(2026, 3, 11)]

    assert planned.stage == "second"
    assert planned.step.template == "second"
    assert [(item.invoice.number, item.step.stage) for item in planned.items] == [
        ("A", "second"),
        ("B", "first"),
    ]
    assert planned.totals() == {"EUR": Decimal("2400.00")}


def test_paid_invoice_gets_no_further_stage() -> None:
    sent = simulate()

    chased_after_payment = [
        item for day, planned in sent.items() if day >= PAID_ON["A"] for item in planned.items
    ]
    assert [(item.invoice.number, item.step.stage) for item in chased_after_payment] == [
        ("B", "second"),
        ("B", "final"),
    ]


def test_final_stage_escalates_and_no_email_follows() -> None:
    sent = simulate()

    assert [day for day, planned in sent.items() if planned.escalates] == [date(2026, 3, 28)]
    assert max(sent) == date(2026, 3, 28)


def test_first_reminder_lists_the_invoice_coming_due_for_information() -> None:
    planned = simulate()[date(2026, 3, 3)]

    # B falls due on 8 Mar, within the week: it is listed, but reaches no step.
    assert [inv.number for inv in planned.upcoming] == ["B"]
    assert [item.invoice.number for item in planned.items] == ["A"]


def test_pre_due_message_lists_nothing_for_information() -> None:
    assert simulate()[date(2026, 2, 26)].upcoming == ()


def test_pre_due_reminder_is_dropped_when_the_wait_runs_past_the_due_date() -> None:
    # The run is down from 5 to 9 March: B's pre_due, due on 5 Mar, would only go out after its due date.
    outage = {date(2026, 3, 5) + timedelta(days=n) for n in range(5)}
    run_days = {FIRST_DAY + timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1)} - outage

    sent = simulate(run_days)

    assert all(
        item.step.stage != "pre_due"
        for planned in sent.values()
        for item in planned.items
        if item.invoice.number == "B"
    )
    assert summary(sent[date(2026, 3, 10)]) == ("first", [("B", "first")])
