"""The customers list and a customer's page: figures, filters, the timeline, and every action on it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from relance.dunning.models import Task
from relance.ledger.models import Customer, CustomerNote, Hold, Invoice, Payment
from relance.mail.models import Message, MessageItem
from relance.tracking.models import Attribution, Event, Reply
from tests import factories as f

pytestmark = pytest.mark.django_db

# Tuesday 10 March 2026, 10:00 in Paris: inside the 09:00-17:00 sending window.
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture(autouse=True)
def no_smtp(settings):
    settings.EMAIL_URL = ""


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def text(response) -> str:
    return response.content.decode()


def url(customer: Customer, action: str = "") -> str:
    return f"/customers/{customer.pk}/{action + '/' if action else ''}"


# --- The list


def test_the_list_shows_each_customers_balance_overdue_and_days_late(viewer_client, workspace):
    alice = f.customer(workspace, "ALICE", name="Alice SARL", contact_name="Alice Martin")
    late = f.invoice(alice, "A-1", days(-40), amount="1000.00")
    f.pay(late, days(-2), amount="250.00")
    f.invoice(alice, "A-2", days(5), amount="500.00")
    paid = f.invoice(alice, "A-3", days(-90), amount="300.00")
    f.pay(paid, days(-60))
    f.invoice(alice, "A-4", days(-100), amount="900.00", status=Invoice.VOID)
    f.customer(workspace, "BOB", name="Bob Ltd")
    body = text(viewer_client.get("/customers/"))
    assert "Alice SARL" in body and "Bob Ltd" in body and "Alice Martin" in body
    assert "€1,250.00" in body  # 750 still owed on A-1 plus 500 not due yet; paid and void ones left out
    assert "€750.00" in body  # overdue
    assert "40 days" in body  # the oldest unpaid overdue invoice, not the paid one of 90 days
    assert "2 customers" in body


def test_the_list_never_shows_another_workspaces_customers(viewer_client, workspace, other_workspace):
    f.customer(workspace, "MINE", name="Mine SA")
    f.customer(other_workspace, "THEIRS", name="Theirs GmbH")
    body = text(viewer_client.get("/customers/"))
    assert "Mine SA" in body and "Theirs GmbH" not in body
    assert "Theirs GmbH" not in text(viewer_client.get("/customers/?q=Theirs"))


@pytest.mark.parametrize("query", ["Boulangerie", "C-042", "compta@martin"])
def test_search_finds_a_customer_by_name_customer_id_or_email(viewer_client, workspace, query):
    f.customer(workspace, "C-042", name="Boulangerie Martin", email="compta@martin.example")
    f.customer(workspace, "C-7", name="Garage Dupont", email="garage@dupont.example")
    body = text(viewer_client.get("/customers/", {"q": query}))
    assert "Boulangerie Martin" in body and "Garage Dupont" not in body


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("active", "Active Co"),
        ("excluded", "Excluded Co"),
        ("paused", "Paused Co"),
        ("undeliverable", "Bounced Co"),
        ("complained", "Spam Co"),
    ],
)
def test_the_status_filter_keeps_only_customers_in_that_state(viewer_client, workspace, status, shown):
    f.customer(workspace, "A", name="Active Co")
    f.customer(workspace, "E", name="Excluded Co", excluded=True)
    f.customer(workspace, "P", name="Paused Co", paused=True)
    f.customer(workspace, "U", name="Bounced Co", undeliverable=True)
    f.customer(workspace, "S", name="Spam Co", complained=True)
    body = text(viewer_client.get("/customers/", {"status": status}))
    names = ["Active Co", "Excluded Co", "Paused Co", "Bounced Co", "Spam Co"]
    assert [n for n in names if n in body] == [shown]


def test_the_segment_and_on_hold_filters(viewer_client, workspace):
    key = f.customer(workspace, "K", name="Key Account", segment="key")
    f.customer(workspace, "S", name="Small Shop", segment="smb")
    held = f.invoice(key, "K-1", days(-10))
    f.hold(held, days(-1), days(5))
    released = f.invoice(f.customer(workspace, "R", name="Released Co"), "R-1", days(-10))
    Hold.objects.create(
        workspace=workspace,
        invoice=released,
        start=days(-5),
        until=days(5),
        reason="other",
        released_on=days(-1),
    )
    body = text(viewer_client.get("/customers/", {"segment": "key"}))
    assert "Key Account" in body and "Small Shop" not in body
    body = text(viewer_client.get("/customers/", {"on_hold": "on"}))
    assert "Key Account" in body and "Small Shop" not in body and "Released Co" not in body


@pytest.mark.parametrize(
    ("bucket", "shown"),
    [("not_due", "Early"), ("1_30", "Ten"), ("31_60", "Forty"), ("61_90", "Seventy"), ("over_90", "Old")],
)
def test_the_ageing_filter_uses_the_oldest_unpaid_overdue_invoice(viewer_client, workspace, bucket, shown):
    for name, due in [("Early", 3), ("Ten", -10), ("Forty", -40), ("Seventy", -70), ("Old", -120)]:
        owner = f.customer(workspace, name.upper(), name=name)
        f.invoice(owner, f"{name}-1", days(due))
        # A younger invoice does not change the bucket.
        f.invoice(owner, f"{name}-2", days(-2) if due < 0 else days(1))
    paid_old = f.invoice(Customer.objects.get(name="Ten"), "Ten-old", days(-200))
    f.pay(paid_old, days(-150))  # paid: does not make "Ten" an old debtor
    f.customer(workspace, "NONE", name="Owes nothing")
    body = text(viewer_client.get("/customers/", {"ageing": bucket}))
    names = ["Early", "Ten", "Forty", "Seventy", "Old", "Owes nothing"]
    assert [n for n in names if f">{n}<" in body] == [shown]


def test_sorting_by_overdue_puts_the_largest_debts_first_and_can_reverse(viewer_client, workspace):
    for name, amount in [("Small", "100.00"), ("Large", "9000.00"), ("Middle", "800.00")]:
        f.invoice(f.customer(workspace, name.upper(), name=name), f"{name}-1", days(-20), amount=amount)
    f.customer(workspace, "ZERO", name="Nothing overdue")
    body = text(viewer_client.get("/customers/", {"sort": "overdue"}))
    assert body.index(">Large<") < body.index(">Middle<") < body.index(">Small<") < body.index(">Nothing")
    body = text(viewer_client.get("/customers/", {"sort": "-overdue"}))
    assert body.index(">Small<") < body.index(">Middle<") < body.index(">Large<")
    body = text(viewer_client.get("/customers/", {"sort": "-name"}))
    assert body.index(">Small<") < body.index(">Nothing") < body.index(">Middle<") < body.index(">Large<")


def test_the_list_has_pages_of_fifty(viewer_client, workspace):
    Customer.objects.bulk_create(
        Customer(
            workspace=workspace, external_id=f"K{n:03d}", name=f"Client {n:03d}", email=f"k{n}@x.example"
        )
        for n in range(120)
    )
    first = text(viewer_client.get("/customers/"))
    assert "Client 049" in first and "Client 050" not in first and "Page 1 of 3" in first
    last = text(viewer_client.get("/customers/", {"page": 3}))
    assert "Client 119" in last and "Client 099" not in last


def test_live_filtering_answers_htmx_with_the_rows_only(viewer_client, workspace):
    f.customer(workspace, "A", name="Alpha")
    response = viewer_client.get("/customers/", {"q": "alp"}, headers={"HX-Request": "true"})
    body = text(response)
    assert "Alpha" in body and "<html" not in body and "<table" in body
    assert "<html" in text(viewer_client.get("/customers/", {"q": "alp"}))


def test_a_bad_filter_value_is_ignored_not_an_error(viewer_client, workspace):
    f.customer(workspace, "A", name="Alpha")
    response = viewer_client.get("/customers/", {"status": "nonsense", "sort": "drop table", "page": "x"})
    assert response.status_code == 200 and "Alpha" in text(response)


def many_customers(workspace, count: int) -> None:
    for n in range(count):
        owner = f.customer(workspace, f"K{n}", name=f"Client {n}", paused=n % 3 == 0)
        inv = f.invoice(owner, f"F-{n}", days(-n - 1))
        f.pay(inv, days(-1), amount="10.00")
        f.hold(inv, days(-1), days(3))
        f.sent_message(owner, message_id=f"<m{n}@acme.example>")


@pytest.mark.parametrize(
    "params", [{}, {"sort": "overdue"}, {"ageing": "1_30", "on_hold": "on"}, {"q": "client"}]
)
def test_the_list_costs_the_same_few_queries_whatever_the_number_of_customers(
    viewer_client, workspace, django_assert_max_num_queries, params
):
    many_customers(workspace, 60)
    viewer_client.get("/customers/")  # session and caches warm
    # session, user, memberships, 2 navigation counters, segments, count (or ids), page ids, 2 for the figures
    with django_assert_max_num_queries(10):
        response = viewer_client.get("/customers/", params)
    assert response.status_code == 200


# --- A customer's page


def test_the_page_shows_the_contact_balance_and_open_invoices_to_a_viewer(viewer_client, workspace):
    alice = f.customer(workspace, "ALICE", name="Alice SARL", segment="key", language="en")
    inv = f.invoice(alice, "A-1", days(-12), amount="1000.00")
    f.pay(inv, days(-3), amount="400.00")
    f.hold(f.invoice(alice, "A-2", days(-3), amount="200.00"), days(-1), days(4))
    paid = f.invoice(alice, "A-3", days(-30), amount="50.00")
    f.pay(paid, days(-20))
    response = viewer_client.get(url(alice))
    body = text(response)
    assert response.status_code == 200
    assert "Alice SARL" in body and "c" in body and "alice@client.example" in body and "English" in body
    assert "€800.00" in body  # 600 + 200 outstanding
    assert "A-1" in body and "€600.00" in body and "A-2" in body
    assert "on hold" in body
    assert ">A-3<" not in body.split("Timeline")[0]  # paid: not among the open invoices
    # A viewer sees no action.
    assert "Send the next reminder now" not in body and url(alice, "payment") not in body


def test_a_collector_sees_every_action(collector_client, workspace):
    alice = f.customer(workspace, "ALICE", paused=True)
    f.invoice(alice, "A-1", days(-12))
    body = text(collector_client.get(url(alice)))
    for action in ("payment", "hold", "call", "note", "contact", "exclude", "resume", "send-now"):
        assert url(alice, action) in body, action


def test_another_workspaces_customer_is_not_found(viewer_client, other_workspace):
    theirs = f.customer(other_workspace, "THEIRS")
    assert viewer_client.get(url(theirs)).status_code == 404


def test_the_timeline_merges_everything_newest_first(viewer_client, workspace, django_user_model):
    alice = f.customer(workspace, "ALICE")
    inv = f.invoice(alice, "A-1", days(-20), issued=days(-50))
    message = f.sent_message(alice, run_date=days(-15), subject="Reminder one")
    message.sent_at = datetime(2026, 2, 23, 9, 0, tzinfo=UTC)
    message.save()
    MessageItem.objects.create(
        message=message, invoice=inv, stage="first", step_index=1, outstanding=inv.amount
    )
    Event.objects.create(
        workspace=workspace,
        message=message,
        customer=alice,
        kind=Event.OPENED,
        occurred_at=datetime(2026, 2, 24, 8, 0, tzinfo=UTC),
        source="pixel",
    )
    Reply.objects.create(
        workspace=workspace,
        message=message,
        customer=alice,
        header_message_id="<reply-1@client.example>",
        from_address="alice@client.example",
        subject="Re: Reminder one",
        text="We will pay next week.",
        received_at=datetime(2026, 2, 26, 8, 0, tzinfo=UTC),
    )
    f.hold(inv, days(-11), days(-5), reason=Hold.PROMISE)
    payment = f.pay(inv, days(-4), amount="200.00", reference="VIR-778")
    Attribution.objects.create(payment=payment, message=message, days_after=11)
    CustomerNote.objects.create(
        workspace=workspace,
        customer=alice,
        kind=CustomerNote.CALL,
        text="Spoke to accounts",
        promise_date=days(3),
    )
    body = text(viewer_client.get(url(alice))).split('id="timeline"')[1]
    order = [
        "Spoke to accounts",
        "VIR-778",
        "on hold, reminders resume on",
        "We will pay next week.",
        "opened",
        "<strong>first</strong> reminder",
        "fell due",
        "issued",
    ]
    positions = [body.index(needle) for needle in order]
    assert positions == sorted(positions)
    assert f"/messages/{message.pk}/" in body and f"/invoices/{inv.pk}/" in body


def test_the_timeline_is_capped_with_show_more(viewer_client, workspace):
    alice = f.customer(workspace, "ALICE")
    for n in range(40):
        CustomerNote.objects.create(workspace=workspace, customer=alice, text=f"Note number {n:02d}")
    body = text(viewer_client.get(url(alice)))
    assert "Note number 39" in body and "Note number 05" not in body and "?more=60#timeline" in body
    body = text(viewer_client.get(url(alice), {"more": 60}))
    assert "Note number 00" in body and "Show more" not in body


def test_the_page_costs_a_bounded_number_of_queries_whatever_the_history(
    viewer_client, workspace, django_assert_max_num_queries
):
    alice = f.customer(workspace, "ALICE")
    for n in range(40):
        inv = f.invoice(alice, f"A-{n}", days(-n - 1))
        f.pay(inv, days(-1), amount="1.00")
        f.hold(inv, days(-1), days(5))
        message = f.sent_message(alice, message_id=f"<m{n}@acme.example>", run_date=days(-n))
        Event.objects.create(
            workspace=workspace, message=message, kind=Event.OPENED, occurred_at=NOW, source="pixel"
        )
        CustomerNote.objects.create(workspace=workspace, customer=alice, text=f"note {n}")
    viewer_client.get(url(alice))
    # 5 for the layout (session, user, memberships, 2 counters), 2 for the customer and its figures,
    # 1 for the open invoices, 8 for the timeline (one per source).
    with django_assert_max_num_queries(16):
        assert viewer_client.get(url(alice)).status_code == 200


# --- Actions


def test_putting_an_invoice_on_hold_and_releasing_it(collector_client, workspace):
    alice = f.customer(workspace, "ALICE")
    inv = f.invoice(alice, "A-1", days(-12))
    response = collector_client.post(
        url(alice, "hold"),
        {"invoice": inv.pk, "reason": "dispute", "until": "2026-03-20", "note": "Wrong qty"},
    )
    assert response.status_code == 302 and response["Location"] == url(alice)
    hold = Hold.objects.get()
    assert (hold.invoice, hold.reason, hold.start, hold.until, hold.note) == (
        inv,
        "dispute",
        TODAY,
        date(2026, 3, 20),
        "Wrong qty",
    )
    assert "is on hold" in text(collector_client.get(url(alice)))
    response = collector_client.post(url(alice, "release"), {"invoice": inv.pk}, follow=True)
    assert "released" in text(response)
    hold.refresh_from_db()
    assert hold.released_on == TODAY


def test_a_hold_with_a_past_date_is_refused_and_nothing_is_written(collector_client, workspace):
    alice = f.customer(workspace, "ALICE")
    inv = f.invoice(alice, "A-1", days(-12))
    response = collector_client.post(
        url(alice, "hold"), {"invoice": inv.pk, "reason": "dispute", "until": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "Choose a day after today." in text(response)
    assert not Hold.objects.exists()


def test_an_invoice_of_another_customer_cannot_be_held_from_this_page(
    collector_client, workspace, other_workspace
):
    alice = f.customer(workspace, "ALICE")
    bob_invoice = f.invoice(f.customer(workspace, "BOB"), "B-1", days(-12))
    theirs = f.invoice(f.customer(other_workspace, "X"), "X-1", days(-12))
    for invoice in (bob_invoice, theirs):
        response = collector_client.post(
            url(alice, "hold"), {"invoice": invoice.pk, "reason": "dispute", "until": "2026-03-20"}
        )
        assert response.status_code == 400
    assert not Hold.objects.exists()


def test_recording_a_payment_lowers_the_balance_and_is_credited_to_the_reminder(collector_client, workspace):
    alice = f.customer(workspace, "ALICE")
    inv = f.invoice(alice, "A-1", days(-12), amount="1000.00")
    message = f.sent_message(alice, run_date=days(-5))
    MessageItem.objects.create(
        message=message, invoice=inv, stage="first", step_index=1, outstanding=inv.amount
    )
    response = collector_client.post(
        url(alice, "payment"),
        {"invoice": inv.pk, "amount": "1 000,00", "date": "2026-03-09", "reference": ""},
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.date, payment.reference) == (
        Decimal("1000.00"),
        days(-1),
        "manual-2026-03-09",
    )
    assert Attribution.objects.get(payment=payment).message == message
    body = text(collector_client.get(url(alice)))
    assert "Payment of €1,000.00 recorded" in body
    assert "Nothing is owed" in body


def test_a_payment_cancels_a_queued_reminder_that_would_chase_the_paid_invoice(collector_client, workspace):
    alice = f.customer(workspace, "ALICE")
    inv = f.invoice(alice, "A-1", days(-12), amount="300.00")
    queued = f.sent_message(alice, status=Message.QUEUED, sent_at=None, run_date=TODAY)
    MessageItem.objects.create(
        message=queued, invoice=inv, stage="first", step_index=1, outstanding=inv.amount
    )
    collector_client.post(url(alice, "payment"), {"invoice": inv.pk, "amount": "300", "date": "2026-03-10"})
    queued.refresh_from_db()
    assert queued.status == Message.CANCELLED and "paid" in queued.last_error


@pytest.mark.parametrize(
    ("amount", "day", "error"),
    [
        ("0", "2026-03-09", "more than zero"),
        ("-5", "2026-03-09", "more than zero"),
        ("12,345", "2026-03-09", "Write an amount like"),
        ("abc", "2026-03-09", "Write an amount like"),
        ("100", "2026-03-11", "cannot be received in the future"),
        ("100", "not a date", "Enter a valid date"),
        ("1500", "2026-03-09", "more than invoice A-1 still owes"),
    ],
)
def test_a_bad_payment_is_refused_with_a_clear_error_and_nothing_written(
    collector_client, workspace, amount, day, error
):
    alice = f.customer(workspace, "ALICE")
    inv = f.invoice(alice, "A-1", days(-12), amount="1000.00")
    response = collector_client.post(
        url(alice, "payment"), {"invoice": inv.pk, "amount": amount, "date": day}
    )
    assert response.status_code == 400
    assert error in text(response)
    assert not Payment.objects.exists()


def test_htmx_form_errors_come_back_as_a_page_htmx_swaps(collector_client, workspace):
    alice = f.customer(workspace, "ALICE")
    inv = f.invoice(alice, "A-1", days(-12))
    response = collector_client.post(
        url(alice, "payment"),
        {"invoice": inv.pk, "amount": "0", "date": "2026-03-09"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "more than zero" in text(response)
    assert 'id="main"' in text(response)


def test_excluding_and_including_a_customer(collector_client, workspace):
    alice = f.customer(workspace, "ALICE")
    response = collector_client.post(url(alice, "exclude"), {"reason": "Insolvency"}, follow=True)
    assert "is excluded" in text(response)
    alice.refresh_from_db()
    assert alice.excluded and alice.excluded_reason == "Insolvency"
    collector_client.post(url(alice, "include"))
    alice.refresh_from_db()
    assert not alice.excluded and alice.excluded_reason == ""


def test_logging_a_call_with_a_promise_holds_the_open_invoices_until_the_promised_day(
    collector_client, workspace
):
    alice = f.customer(workspace, "ALICE")
    first = f.invoice(alice, "A-1", days(-12))
    second = f.invoice(alice, "A-2", days(-2))
    paid = f.invoice(alice, "A-3", days(-30))
    f.pay(paid, days(-10))
    response = collector_client.post(
        url(alice, "call"), {"outcome": "Will pay Friday", "promise_date": "2026-03-13"}, follow=True
    )
    assert "Call logged. 2 open invoice(s) held" in text(response)
    call = CustomerNote.objects.get()
    assert (call.kind, call.text, call.promise_date) == ("call", "Will pay Friday", date(2026, 3, 13))
    assert call.author is not None and call.author.email == "collector@acme.example"
    holds = Hold.objects.order_by("invoice__number")
    assert [h.invoice for h in holds] == [first, second]
    assert {(h.reason, h.start, h.until) for h in holds} == {("promise", TODAY, date(2026, 3, 14))}


def test_a_call_without_a_promise_is_only_a_note_and_an_empty_one_is_refused(collector_client, workspace):
    alice = f.customer(workspace, "ALICE")
    f.invoice(alice, "A-1", days(-12))
    collector_client.post(url(alice, "call"), {"outcome": "No answer"})
    assert CustomerNote.objects.get().kind == "call" and not Hold.objects.exists()
    response = collector_client.post(url(alice, "call"), {"outcome": "  ", "promise_date": "2026-03-01"})
    assert response.status_code == 400 and CustomerNote.objects.count() == 1


def test_changing_the_billing_contact_keeps_the_old_one_in_a_note(collector_client, workspace):
    alice = f.customer(
        workspace, "ALICE", contact_name="Old Person", email="old@client.example", undeliverable=True
    )
    pending = f.sent_message(alice, status=Message.QUEUED, sent_at=None, run_date=TODAY)
    response = collector_client.post(
        url(alice, "contact"), {"contact_name": "New Person", "email": "new@client.example"}, follow=True
    )
    assert "Billing contact changed" in text(response)
    alice.refresh_from_db()
    assert (alice.contact_name, alice.email, alice.undeliverable) == (
        "New Person",
        "new@client.example",
        False,
    )
    note = CustomerNote.objects.get()
    assert (
        note.kind == "contact_change"
        and "old@client.example" in note.text
        and "new@client.example" in note.text
    )
    pending.refresh_from_db()
    assert pending.status == Message.CANCELLED


def test_a_bad_email_is_refused_and_the_contact_is_unchanged(collector_client, workspace):
    alice = f.customer(workspace, "ALICE", email="old@client.example")
    response = collector_client.post(url(alice, "contact"), {"contact_name": "X", "email": "not-an-address"})
    assert response.status_code == 400 and "Enter a valid email address." in text(response)
    alice.refresh_from_db()
    assert alice.email == "old@client.example" and not CustomerNote.objects.exists()


def test_adding_a_note(collector_client, workspace):
    alice = f.customer(workspace, "ALICE")
    response = collector_client.post(url(alice, "note"), {"text": "Prefers phone calls"}, follow=True)
    assert "Note added." in text(response) and "Prefers phone calls" in text(response)
    assert CustomerNote.objects.get().text == "Prefers phone calls"
    assert collector_client.post(url(alice, "note"), {"text": ""}).status_code == 400


def test_resuming_automation_after_a_reply(collector_client, workspace):
    alice = f.customer(workspace, "ALICE", paused=True)
    task = Task.objects.create(
        workspace=workspace, customer=alice, kind=Task.REPLY, title="Answer", due_date=TODAY
    )
    response = collector_client.post(url(alice, "resume"), follow=True)
    assert "Automation resumed" in text(response)
    alice.refresh_from_db()
    task.refresh_from_db()
    assert not alice.paused and task.status == Task.DONE


ACTIONS = [
    ("hold", {"reason": "dispute", "until": "2026-03-20"}),
    ("release", {}),
    ("payment", {"amount": "10", "date": "2026-03-09"}),
    ("exclude", {"reason": "x"}),
    ("include", {}),
    ("resume", {}),
    ("call", {"outcome": "x", "promise_date": "2026-03-20"}),
    ("contact", {"contact_name": "X", "email": "x@x.example"}),
    ("note", {"text": "x"}),
    ("send-now", {}),
]


def snapshot_of_everything() -> tuple:
    return (
        list(Customer.objects.values()),
        list(Hold.objects.values()),
        list(Payment.objects.values()),
        list(CustomerNote.objects.values()),
        list(Message.objects.values_list("pk", "status")),
    )


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_a_viewer_cannot_act_and_nothing_changes(viewer_client, workspace, action, data):
    f.policy(workspace)
    alice = f.customer(workspace, "ALICE", paused=True)
    inv = f.invoice(alice, "A-1", days(-12))
    f.hold(inv, days(-1), days(3))
    before = snapshot_of_everything()
    response = viewer_client.post(url(alice, action), {"invoice": inv.pk, **data})
    assert response.status_code == 403
    assert snapshot_of_everything() == before


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_acting_on_another_workspaces_customer_is_not_found(collector_client, other_workspace, action, data):
    theirs = f.customer(other_workspace, "THEIRS", paused=True)
    inv = f.invoice(theirs, "X-1", days(-12))
    before = snapshot_of_everything()
    assert collector_client.post(url(theirs, action), {"invoice": inv.pk, **data}).status_code == 404
    assert snapshot_of_everything() == before


def test_actions_only_answer_post(collector_client, workspace):
    alice = f.customer(workspace, "ALICE")
    assert collector_client.get(url(alice, "note")).status_code == 405


# --- Send the next reminder now


@pytest.fixture
def due_customer(workspace):
    f.policy(workspace)
    alice = f.customer(workspace, "ALICE")
    f.invoice(alice, "A-1", days(-5))  # the first step (3 days late) is due
    return alice


def test_send_now_writes_todays_reminder_and_hands_it_to_delivery(
    collector_client, due_customer, smtp_server
):
    with override_settings(EMAIL_URL=smtp_server.url):
        response = collector_client.post(url(due_customer, "send-now"), follow=True)
    message = Message.objects.get()
    assert (message.customer, message.run_date, message.stage) == (due_customer, TODAY, "first")
    assert message.status == Message.SENT and len(smtp_server.messages) == 1
    assert "reminder is on its way" in text(response)
    assert [i.invoice.number for i in message.items.all()] == ["A-1"]


def test_send_now_without_smtp_leaves_it_queued_and_says_why(collector_client, due_customer):
    response = collector_client.post(url(due_customer, "send-now"), follow=True)
    assert Message.objects.get().status == Message.QUEUED
    assert "could not be sent now" in text(response) and "EMAIL_URL" in text(response)


def test_send_now_twice_the_same_day_never_writes_a_second_message(collector_client, due_customer):
    collector_client.post(url(due_customer, "send-now"))
    response = collector_client.post(url(due_customer, "send-now"), follow=True)
    assert Message.objects.count() == 1
    assert "already has a message today" in text(response)


def test_send_now_outside_the_window_queues_until_it_opens(collector_client, due_customer, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 10, 19, 0, tzinfo=UTC))  # 20:00 in Paris
    response = collector_client.post(url(due_customer, "send-now"), follow=True)
    message = Message.objects.get()
    assert message.status == Message.QUEUED and message.not_before == datetime(2026, 3, 11, 8, 0, tzinfo=UTC)
    assert "when the sending window opens" in text(response)


def test_send_now_leaves_a_step_that_needs_approval_waiting(collector_client, workspace):
    f.policy(
        workspace,
        steps=[{"stage": "first", "offset_days": 3, "requires_approval": True}],
    )
    alice = f.customer(workspace, "ALICE")
    f.invoice(alice, "A-1", days(-5))
    response = collector_client.post(url(alice, "send-now"), follow=True)
    assert Message.objects.get().status == Message.AWAITING_APPROVAL
    assert "waits for approval" in text(response)


@pytest.mark.parametrize(
    ("setup", "said"),
    [
        ("excluded", "reminders are stopped"),
        ("paid", "no invoice of this customer can be chased"),
        ("held", "no invoice of this customer can be chased"),
        ("not_due", "no reminder step is due today"),
        ("recent", "the last message was too recent"),
    ],
)
def test_send_now_with_nothing_to_send_says_why_and_writes_nothing(collector_client, workspace, setup, said):
    f.policy(workspace)
    alice = f.customer(workspace, "ALICE", excluded=setup == "excluded")
    inv = f.invoice(alice, "A-1", days(-1) if setup == "not_due" else days(-5))
    if setup == "paid":
        f.pay(inv, days(-1))
    if setup == "held":
        f.hold(inv, days(-1), days(3))
    if setup == "recent":
        f.sent_message(alice, run_date=days(-1))
    before = Message.objects.count()
    response = collector_client.post(url(alice, "send-now"), follow=True)
    assert Message.objects.count() == before
    assert said in text(response)
