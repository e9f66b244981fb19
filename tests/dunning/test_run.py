"""The daily run against the database: what it writes, what it refuses to write twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from relance.dunning.actions import do_run, do_simulate
from relance.dunning.models import Run, Task
from relance.ledger.models import Hold
from relance.mail.models import Message, MessageItem
from tests import factories as f

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DUE = date(2026, 3, 2)


def run(workspace, day: date, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("backfill", True)
    return do_run(workspace, day, NOW, **kwargs)


@pytest.fixture
def ledger(workspace):  # type: ignore[no-untyped-def]
    f.policy(workspace)
    alice = f.customer(workspace, "ALICE", language="fr")
    bob = f.customer(workspace, "BOB", language="en", contact_name="")
    return {
        "alice": alice,
        "bob": bob,
        "a1": f.invoice(alice, "A-1", DUE),
        "a2": f.invoice(alice, "A-2", DUE + timedelta(days=2), amount="80.50"),
        "b1": f.invoice(bob, "B-1", DUE),
    }


def test_overdue_invoices_of_a_customer_go_out_in_one_message(workspace, ledger):
    result = run(workspace, DUE + timedelta(days=5))
    by_customer = {m["customer_id"]: m for m in result.messages}
    assert set(by_customer) == {"ALICE", "BOB"}
    alice = by_customer["ALICE"]
    assert alice["invoices"] == ["A-1", "A-2"]
    assert alice["stage"] == "first"
    assert alice["status"] == Message.QUEUED
    assert alice["total_due"] == "1280.50"
    assert alice["to"] == "alice@client.example"
    stored = Message.objects.get(pk=alice["id"])
    assert stored.text_body and stored.html_body
    assert "A-1" in stored.text_body
    assert sorted(stored.items.values_list("invoice__number", "stage")) == [
        ("A-1", "first"),
        ("A-2", "first"),
    ]


def test_rerunning_the_same_day_adds_nothing(workspace, ledger):
    day = DUE + timedelta(days=5)
    first = run(workspace, day)
    second = run(workspace, day)
    assert len(first.messages) == 2
    assert second.messages == []
    assert Message.objects.count() == 2
    assert Run.objects.count() == 2


def test_dry_run_writes_nothing(workspace, ledger):
    result = run(workspace, DUE + timedelta(days=5), dry_run=True)
    assert [m["status"] for m in result.messages] == ["preview", "preview"]
    assert Message.objects.count() == 0
    assert MessageItem.objects.count() == 0
    assert Run.objects.count() == 0


def test_paid_invoice_is_never_chased(workspace, ledger):
    f.pay(ledger["b1"], DUE + timedelta(days=1))
    result = run(workspace, DUE + timedelta(days=5))
    assert [m["customer_id"] for m in result.messages] == ["ALICE"]


def test_payment_dated_after_the_run_date_does_not_count_yet(workspace, ledger):
    f.pay(ledger["b1"], DUE + timedelta(days=10))
    result = run(workspace, DUE + timedelta(days=5))
    assert "BOB" in [m["customer_id"] for m in result.messages]


def test_partial_payment_leaves_the_rest_chased(workspace, ledger):
    f.pay(ledger["b1"], DUE + timedelta(days=1), amount="200.00")
    result = run(workspace, DUE + timedelta(days=5))
    bob = next(m for m in result.messages if m["customer_id"] == "BOB")
    assert bob["total_due"] == "1000.00"


def test_held_invoice_is_skipped_until_the_hold_ends(workspace, ledger):
    f.hold(ledger["b1"], DUE, DUE + timedelta(days=10), reason=Hold.PROMISE)
    assert "BOB" not in [m["customer_id"] for m in run(workspace, DUE + timedelta(days=5)).messages]
    assert "BOB" in [m["customer_id"] for m in run(workspace, DUE + timedelta(days=10)).messages]


def test_excluded_customer_gets_nothing(workspace, ledger):
    ledger["bob"].excluded = True
    ledger["bob"].save()
    assert [m["customer_id"] for m in run(workspace, DUE + timedelta(days=5)).messages] == ["ALICE"]


def test_queued_message_is_cancelled_when_its_invoice_is_paid_before_the_next_run(workspace, ledger):
    day = DUE + timedelta(days=5)
    run(workspace, day)
    f.pay(ledger["b1"], day)
    later = run(workspace, day + timedelta(days=1))
    bob_message = Message.objects.get(customer=ledger["bob"])
    assert bob_message.status == Message.CANCELLED
    assert "B-1 was paid" in bob_message.last_error
    assert later.cancelled == 1
    # The stage it would have reached is free again: nothing records B-1 as reminded.
    assert not MessageItem.objects.filter(invoice=ledger["b1"]).exists()


def test_final_stage_hands_the_case_to_a_person(workspace, ledger):
    day = DUE + timedelta(days=3)
    for offset in range(0, 60):
        run(workspace, day + timedelta(days=offset))
    stages = list(
        Message.objects.filter(customer=ledger["bob"]).order_by("run_date").values_list("stage", flat=True)
    )
    assert stages == ["first", "second", "final"]
    task = Task.objects.get(customer=ledger["bob"])
    assert task.kind == Task.COLLECTION
    assert "B-1" in task.detail


def test_step_requiring_approval_waits_in_the_queue(workspace, ledger):
    f.policy(
        workspace,
        name="careful",
        applies_to={"segments": ["key"]},
        steps=[{"stage": "first", "offset_days": 3, "requires_approval": True}],
    )
    ledger["bob"].segment = "key"
    ledger["bob"].save()
    result = run(workspace, DUE + timedelta(days=5))
    bob = next(m for m in result.messages if m["customer_id"] == "BOB")
    assert bob["status"] == Message.AWAITING_APPROVAL
    assert bob["policy"] == "careful"


def test_live_run_outside_the_window_waits_for_the_customers_morning(workspace, ledger):
    # 06:00 in Paris on a Monday: the message waits until 09:00 Paris time (08:00 UTC in March).
    early = datetime(2026, 3, 9, 5, 0, tzinfo=UTC)
    result = do_run(workspace, date(2026, 3, 9), early, backfill=False)
    alice = next(m for m in result.messages if m["customer_id"] == "ALICE")
    assert alice["not_before"] == datetime(2026, 3, 9, 8, 0, tzinfo=UTC).isoformat()


def test_backfill_ignores_the_sending_window(workspace, ledger):
    result = run(workspace, DUE + timedelta(days=5))
    assert all(m["not_before"] is None for m in result.messages)


def test_simulation_plans_what_the_runs_then_make_and_keeps_nothing(workspace, ledger):
    first, last = DUE - timedelta(days=10), DUE + timedelta(days=40)
    simulated = [
        (date.fromisoformat(m["run_date"]), m["customer_id"], m["stage"])
        for m in do_simulate(workspace, first, last).messages
    ]
    assert Message.objects.count() == 0
    day = first
    while day <= last:
        run(workspace, day)
        day += timedelta(days=1)
    actual = list(
        Message.objects.order_by("run_date", "customer__external_id").values_list(
            "run_date", "customer__external_id", "stage"
        )
    )
    assert sorted(simulated) == actual
    assert {stage for _, _, stage in actual} == {"pre_due", "first", "second", "final"}


def test_simulation_rejects_a_period_that_ends_before_it_starts(workspace, ledger):
    from relance.engine.errors import InvalidInput

    with pytest.raises(InvalidInput):
        do_simulate(workspace, DUE, DUE - timedelta(days=1))
