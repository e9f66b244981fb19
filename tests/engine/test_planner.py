"""The planner on small hand-made cases: which step is due, what one message carries, when it waits."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from relance.engine.calendar import BusinessCalendar
from relance.engine.planner import CustomerState, InvoiceState, next_step, plan_customer, plan_run
from relance.engine.policy import Policy, Step

CALENDAR = BusinessCalendar("FR")
DUE = date(2026, 3, 2)  # a Monday
POLICY = Policy(
    name="test",
    steps=(
        Step("pre_due", -3, "pre_due"),
        Step("first", 2, "first"),
        Step("second", 10, "second"),
        Step("final", 20, "final", requires_approval=True),
    ),
    min_days_between_messages=3,
    business_days_only=False,
)


def invoice(
    key: int = 1,
    due: date = DUE,
    reached: tuple[str, ...] = (),
    outstanding: str = "100.00",
    currency: str = "EUR",
    chaseable: bool = True,
) -> InvoiceState:
    return InvoiceState(
        key=key,
        number=f"F-{key}",
        due_date=due,
        outstanding=Decimal(outstanding),
        currency=currency,
        chaseable=chaseable,
        reached=frozenset(reached),
    )


def customer(
    *invoices: InvoiceState,
    policy: Policy = POLICY,
    excluded: bool = False,
    last_message_date: date | None = None,
) -> CustomerState:
    return CustomerState(
        key=7, policy=policy, invoices=invoices, excluded=excluded, last_message_date=last_message_date
    )


def days_after(n: int) -> date:
    return DUE + timedelta(days=n)


# --- next_step --------------------------------------------------------------------------------------------


def test_no_step_is_due_before_the_first_offset() -> None:
    assert next_step(POLICY, invoice(), days_after(-4)) is None


def test_pre_due_step_is_due_from_its_offset_until_the_due_date() -> None:
    assert next_step(POLICY, invoice(), days_after(-3)) == (0, POLICY.steps[0])
    assert next_step(POLICY, invoice(), days_after(-1)) == (0, POLICY.steps[0])


def test_pre_due_step_is_dropped_on_the_due_date() -> None:
    assert next_step(POLICY, invoice(), DUE) is None
    assert next_step(POLICY, invoice(), days_after(2)) == (1, POLICY.steps[1])


def test_step_after_the_last_reached_is_the_only_one_due() -> None:
    # Every offset has passed, yet the invoice that reached `first` gets `second`, not `final`.
    assert next_step(POLICY, invoice(reached=("pre_due", "first")), days_after(60)) == (2, POLICY.steps[2])


def test_overdue_invoice_that_reached_nothing_starts_at_the_first_overdue_step() -> None:
    assert next_step(POLICY, invoice(), days_after(60)) == (1, POLICY.steps[1])


def test_nothing_is_due_after_the_last_step() -> None:
    assert next_step(POLICY, invoice(reached=("first", "second", "final")), days_after(90)) is None


def test_paid_invoice_is_never_chased() -> None:
    assert next_step(POLICY, invoice(chaseable=False), days_after(11)) is None


# --- plan_customer ----------------------------------------------------------------------------------------


def test_excluded_customer_gets_no_message() -> None:
    assert plan_customer(customer(invoice(), excluded=True), days_after(2), CALENDAR) is None


def test_message_waits_for_the_minimum_gap_and_goes_out_on_its_last_day() -> None:
    waiting = customer(invoice(), last_message_date=days_after(0))

    assert plan_customer(waiting, days_after(2), CALENDAR) is None
    assert plan_customer(waiting, days_after(3), CALENDAR) is not None


def test_business_days_only_policy_waits_for_a_business_day() -> None:
    policy = Policy("bd", POLICY.steps, min_days_between_messages=3, business_days_only=True)
    due_thursday = date(2026, 4, 28)  # first step on 30 Apr; 1 May is a holiday, then the weekend

    def planned_on(day: date) -> bool:
        return plan_customer(customer(invoice(due=due_thursday), policy=policy), day, CALENDAR) is not None

    assert planned_on(date(2026, 4, 30))
    assert not planned_on(date(2026, 5, 1))
    assert not planned_on(date(2026, 5, 2))
    assert not planned_on(date(2026, 5, 3))
    assert planned_on(date(2026, 5, 4))


def test_one_message_groups_every_due_invoice_at_its_own_step() -> None:
    late = invoice(1, due=days_after(-10), reached=("first",))
    recent = invoice(2, due=days_after(-2))
    not_yet = invoice(3, due=days_after(30))

    planned = plan_customer(customer(late, recent, not_yet), DUE, CALENDAR)

    assert planned is not None
    assert [(item.invoice.key, item.step.stage) for item in planned.items] == [(1, "second"), (2, "first")]
    assert planned.stage == "second"


def test_invoice_coming_due_within_a_week_is_listed_for_information() -> None:
    overdue = invoice(1, due=days_after(-2))
    soon = invoice(2, due=days_after(7))
    later = invoice(3, due=days_after(8))
    paid_soon = invoice(4, due=days_after(3), chaseable=False)

    planned = plan_customer(customer(overdue, soon, later, paid_soon), DUE, CALENDAR)

    assert planned is not None
    assert [inv.key for inv in planned.upcoming] == [2]
    assert [item.invoice.key for item in planned.items] == [1]


def test_customer_below_the_policy_minimum_gets_nothing() -> None:
    policy = Policy("min", POLICY.steps, business_days_only=False, min_amount=Decimal("500"))
    small = customer(invoice(outstanding="499.99"), policy=policy)
    enough = customer(invoice(1, outstanding="300"), invoice(2, outstanding="200"), policy=policy)

    assert plan_customer(small, days_after(2), CALENDAR) is None
    assert plan_customer(enough, days_after(2), CALENDAR) is not None


def test_step_with_a_minimum_amount_waits_until_the_total_reaches_it() -> None:
    steps = (Step("first", 2, "first"), Step("legal", 5, "legal", min_amount=Decimal("1000")))
    policy = Policy("legal", steps, business_days_only=False)
    small = invoice(1, reached=("first",), outstanding="600")

    assert plan_customer(customer(small, policy=policy), days_after(30), CALENDAR) is None
    # A second overdue invoice brings the customer's total to 1200: the legal step goes out, not skipped.
    second = invoice(2, due=days_after(-10), reached=("first",), outstanding="600")
    planned = plan_customer(customer(small, second, policy=policy), days_after(30), CALENDAR)
    assert planned is not None
    assert [item.step.stage for item in planned.items] == ["legal", "legal"]


def test_message_needs_approval_when_one_of_its_steps_does() -> None:
    planned = plan_customer(customer(invoice(reached=("first", "second"))), days_after(20), CALENDAR)

    assert planned is not None
    assert planned.requires_approval
    assert planned.escalates


def test_totals_are_kept_per_currency() -> None:
    eur = invoice(1, outstanding="100.50")
    eur_too = invoice(2, outstanding="20.25")
    usd = invoice(3, outstanding="99.99", currency="USD")

    planned = plan_customer(customer(eur, eur_too, usd), days_after(2), CALENDAR)

    assert planned is not None
    assert planned.totals() == {"EUR": Decimal("120.75"), "USD": Decimal("99.99")}


def test_plan_run_returns_one_message_per_customer_with_something_due() -> None:
    due_now = CustomerState(key=1, policy=POLICY, invoices=(invoice(1),))
    nothing_due = CustomerState(key=2, policy=POLICY, invoices=(invoice(2, due=days_after(30)),))
    also_due = CustomerState(key=3, policy=POLICY, invoices=(invoice(3), invoice(4)))

    planned = list(plan_run([due_now, nothing_due, also_due], days_after(2), CALENDAR))

    assert [message.customer_key for message in planned] == [1, 3]


# --- catching up after an outage --------------------------------------------------------------------------


def test_after_a_long_outage_stages_come_one_at_a_time_in_order() -> None:
    # The run was down from before the first reminder until 45 days after the due date.
    reached: set[str] = set()
    last: date | None = None
    sent: list[tuple[date, str]] = []
    for day in (days_after(n) for n in range(45, 75)):
        state = customer(invoice(reached=tuple(reached)), last_message_date=last)
        planned = plan_customer(state, day, CALENDAR)
        if planned is not None:
            sent.append((day, planned.stage))
            reached.update(item.step.stage for item in planned.items)
            last = day

    assert sent == [(days_after(45), "first"), (days_after(48), "second"), (days_after(51), "final")]


def test_a_customer_who_declined_courtesy_reminders_gets_no_pre_due_but_still_the_overdue_stages():
    opted_out = CustomerState(key=1, policy=POLICY, invoices=(invoice(),), pre_due_opt_out=True)
    assert plan_customer(opted_out, DUE - timedelta(days=2), CALENDAR) is None
    planned = plan_customer(opted_out, DUE + timedelta(days=2), CALENDAR)
    assert planned is not None and planned.stage == "first"
    courteous = CustomerState(key=1, policy=POLICY, invoices=(invoice(),))
    planned = plan_customer(courteous, DUE - timedelta(days=2), CALENDAR)
    assert planned is not None and planned.stage == "pre_due"
