"""The invoices list (filters, totals, pages) and an invoice's page with its payments, holds and reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from relance.ledger.models import Customer, Hold, Invoice, Payment
from relance.mail.models import Message, MessageItem
from relance.tracking.models import Attribution
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def text(response) -> str:
    return response.content.decode()


def numbers_in(body: str, candidates: list[str]) -> list[str]:
    return [n for n in candidates if f">{n}<" in body]


@pytest.fixture
def ledger(workspace):
    """Open, overdue, paid, void, held and not-yet-due invoices of two customers."""
    alice = f.customer(workspace, "ALICE", name="Alice SARL")
    bob = f.customer(workspace, "BOB", name="Bob Ltd")
    f.invoice(alice, "F-OPEN", days(10), amount="100.00")
    f.invoice(alice, "F-LATE", days(-40), amount="200.00")
    paid = f.invoice(alice, "F-PAID", days(-20), amount="300.00")
    f.pay(paid, days(-5))
    part = f.invoice(bob, "F-PART", days(-70), amount="400.00")
    f.pay(part, days(-3), amount="150.00")
    f.invoice(bob, "F-VOID", days(-100), amount="500.00", status=Invoice.VOID)
    held = f.invoice(bob, "F-HELD", days(-5), amount="600.00", currency="GBP")
    f.hold(held, days(-1), days(10))
    return alice, bob


ALL = ["F-OPEN", "F-LATE", "F-PAID", "F-PART", "F-VOID", "F-HELD"]


def in_page_order(body: str) -> list[str]:
    return sorted(numbers_in(body, ALL), key=lambda n: body.index(f">{n}<"))


def test_the_list_shows_open_invoices_by_default_with_their_totals(viewer_client, ledger):
    body = text(viewer_client.get("/invoices/"))
    assert in_page_order(body) == ["F-PART", "F-LATE", "F-HELD", "F-OPEN"]  # oldest due date first
    assert "€550.00" in body  # outstanding in EUR: 100 + 200 + 250
    assert "£600.00" in body
    assert "3 invoices in EUR" in body and "1 invoice in GBP" in body
    assert "Alice SARL" in body and "/customers/" in body


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("overdue", ["F-PART", "F-LATE", "F-HELD"]),
        ("paid", ["F-PAID"]),
        ("void", ["F-VOID"]),
        ("all", ["F-VOID", "F-PART", "F-LATE", "F-PAID", "F-HELD", "F-OPEN"]),
    ],
)
def test_the_status_filter(viewer_client, ledger, status, expected):
    body = text(viewer_client.get("/invoices/", {"status": status}))
    assert in_page_order(body) == expected  # oldest due date first


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"ageing": "not_due"}, ["F-OPEN"]),
        ({"ageing": "1_30"}, ["F-HELD"]),
        ({"ageing": "31_60"}, ["F-LATE"]),
        ({"ageing": "61_90"}, ["F-PART"]),
        ({"ageing": "over_90", "status": "all"}, ["F-VOID"]),
        ({"on_hold": "on"}, ["F-HELD"]),
        ({"currency": "GBP"}, ["F-HELD"]),
        ({"q": "part"}, ["F-PART"]),
        ({"q": "Alice"}, ["F-LATE", "F-OPEN"]),
        ({"q": "bob", "status": "all"}, ["F-VOID", "F-PART", "F-HELD"]),
    ],
)
def test_filters_and_search(viewer_client, ledger, params, expected):
    body = text(viewer_client.get("/invoices/", params))
    assert sorted(numbers_in(body, ALL)) == sorted(expected)


def test_the_customer_filter_shows_one_customers_invoices(viewer_client, ledger):
    alice, _bob = ledger
    body = text(viewer_client.get("/invoices/", {"customer": alice.pk, "status": "all"}))
    assert sorted(numbers_in(body, ALL)) == ["F-LATE", "F-OPEN", "F-PAID"]
    assert "Invoices of" in body and "Alice SARL" in body


def test_sorting_by_amount_and_number(viewer_client, ledger):
    body = text(viewer_client.get("/invoices/", {"sort": "-amount"}))
    assert in_page_order(body) == ["F-HELD", "F-PART", "F-LATE", "F-OPEN"]
    body = text(viewer_client.get("/invoices/", {"sort": "number"}))
    assert in_page_order(body) == ["F-HELD", "F-LATE", "F-OPEN", "F-PART"]


def test_the_list_never_shows_another_workspaces_invoices(viewer_client, workspace, other_workspace):
    f.invoice(f.customer(workspace, "MINE"), "MINE-1", days(-3))
    f.invoice(f.customer(other_workspace, "THEIRS"), "THEIRS-1", days(-3))
    body = text(viewer_client.get("/invoices/", {"status": "all"}))
    assert "MINE-1" in body and "THEIRS-1" not in body
    assert "THEIRS-1" not in text(viewer_client.get("/invoices/", {"q": "THEIRS"}))


def test_pages_of_fifty_with_the_totals_of_the_whole_filtered_set(viewer_client, workspace):
    owner = f.customer(workspace, "C")
    Invoice.objects.bulk_create(
        Invoice(
            workspace=workspace,
            customer=owner,
            number=f"N-{n:03d}",
            issue_date=days(-60),
            due_date=days(-n - 1),
            amount=Decimal("10.00"),
            currency="EUR",
        )
        for n in range(120)
    )
    body = text(viewer_client.get("/invoices/", {"sort": "number"}))
    assert "N-049" in body and "N-050" not in body and "Page 1 of 3" in body
    assert "120 invoices in EUR" in body and "€1,200.00" in body
    assert "N-119" in text(viewer_client.get("/invoices/", {"sort": "number", "page": 3}))


def test_live_filtering_answers_htmx_with_the_rows_only(viewer_client, ledger):
    body = text(viewer_client.get("/invoices/", {"q": "late"}, headers={"HX-Request": "true"}))
    assert "F-LATE" in body and "<html" not in body


def test_the_list_costs_the_same_few_queries_whatever_the_number_of_invoices(
    viewer_client, workspace, django_assert_max_num_queries
):
    for n in range(30):
        owner = f.customer(workspace, f"K{n}")
        inv = f.invoice(owner, f"F-{n}", days(-n - 1))
        f.pay(inv, days(-1), amount="1.00")
        f.hold(inv, days(-1), days(2))
    viewer_client.get("/invoices/")
    # layout 5, currencies, totals (which count), page ids, page rows
    for params in ({}, {"status": "all", "q": "K1"}, {"on_hold": "on", "ageing": "1_30"}):
        with django_assert_max_num_queries(9):
            assert viewer_client.get("/invoices/", params).status_code == 200


# --- An invoice's page --------------------------------------------------------------------------------------


def test_the_page_shows_amounts_payments_holds_and_the_reminders_that_included_it(viewer_client, workspace):
    alice = f.customer(workspace, "ALICE", name="Alice SARL")
    inv = f.invoice(alice, "F-1", days(-30), amount="1000.00")
    message = f.sent_message(alice, run_date=days(-10), subject="First reminder for F-1")
    MessageItem.objects.create(
        message=message, invoice=inv, stage="first", step_index=1, outstanding=inv.amount
    )
    payment = f.pay(inv, days(-4), amount="300.00", reference="VIR-9")
    Attribution.objects.create(payment=payment, message=message, days_after=6)
    Hold.objects.create(
        workspace=workspace,
        invoice=inv,
        start=days(-8),
        until=days(-6),
        reason=Hold.DISPUTE,
        note="Wrong price",
    )
    response = viewer_client.get(f"/invoices/{inv.pk}/")
    body = text(response)
    assert response.status_code == 200
    assert "Invoice F-1" in body and "Alice SARL" in body
    assert "€1,000.00" in body and "€300.00" in body and "€700.00" in body and "30 days late" in body
    assert "VIR-9" in body and f"/messages/{message.pk}/" in body and "6 days before the payment" in body
    assert "Wrong price" in body and "dispute" in body
    assert "First reminder for F-1" in body
    assert f"/invoices/{inv.pk}/payment/" not in body  # a viewer sees no action


def test_a_collector_records_a_payment_from_the_invoice_page(collector_client, workspace):
    inv = f.invoice(f.customer(workspace, "ALICE"), "F-1", days(-30), amount="1000.00")
    response = collector_client.post(
        f"/invoices/{inv.pk}/payment/",
        {"amount": "250.50", "date": "2026-03-10", "reference": "CHQ-1"},
        follow=True,
    )
    assert "Payment of €250.50 recorded on invoice F-1 (reference CHQ-1)" in text(response)
    assert Payment.objects.get().amount == Decimal("250.50")


def test_a_payment_with_a_reference_the_invoice_already_has_is_refused(collector_client, workspace):
    inv = f.invoice(f.customer(workspace, "ALICE"), "F-1", days(-30), amount="1000.00")
    f.pay(inv, days(-2), amount="10.00", reference="CHQ-1")
    response = collector_client.post(
        f"/invoices/{inv.pk}/payment/", {"amount": "20", "date": "2026-03-10", "reference": "CHQ-1"}
    )
    assert response.status_code == 400 and "already has a payment with reference" in text(response)
    assert Payment.objects.count() == 1


def test_a_collector_holds_and_releases_from_the_invoice_page(collector_client, workspace):
    inv = f.invoice(f.customer(workspace, "ALICE"), "F-1", days(-30))
    response = collector_client.post(
        f"/invoices/{inv.pk}/hold/", {"reason": "promise", "until": "2026-03-17", "note": ""}, follow=True
    )
    assert "is on hold" in text(response) and "Release the hold" in text(response)
    hold = Hold.objects.get()
    assert (hold.reason, hold.start, hold.until) == ("promise", TODAY, date(2026, 3, 17))
    response = collector_client.post(f"/invoices/{inv.pk}/release/", follow=True)
    assert "reminders resume" in text(response)
    hold.refresh_from_db()
    assert hold.released_on == TODAY


def test_a_bad_hold_is_refused_and_nothing_written(collector_client, workspace):
    inv = f.invoice(f.customer(workspace, "ALICE"), "F-1", days(-30))
    response = collector_client.post(
        f"/invoices/{inv.pk}/hold/", {"reason": "holiday", "until": "2026-03-17"}
    )
    assert response.status_code == 400 and "Select a valid choice" in text(response)
    assert not Hold.objects.exists()


@pytest.mark.parametrize("action", ["hold", "release", "payment"])
def test_a_viewer_cannot_act_on_an_invoice(viewer_client, workspace, action):
    inv = f.invoice(f.customer(workspace, "ALICE"), "F-1", days(-30))
    f.hold(inv, days(-1), days(3))
    data = {"reason": "dispute", "until": "2026-03-20", "amount": "10", "date": "2026-03-09"}
    assert viewer_client.post(f"/invoices/{inv.pk}/{action}/", data).status_code == 403
    assert Hold.objects.get().released_on is None and Hold.objects.count() == 1
    assert not Payment.objects.exists()


@pytest.mark.parametrize("action", ["", "hold/", "release/", "payment/"])
def test_another_workspaces_invoice_is_not_found(collector_client, other_workspace, action):
    theirs = f.invoice(f.customer(other_workspace, "X"), "X-1", days(-30))
    data = {"reason": "dispute", "until": "2026-03-20", "amount": "10", "date": "2026-03-09"}
    if action:
        assert collector_client.post(f"/invoices/{theirs.pk}/{action}", data).status_code == 404
    else:
        assert collector_client.get(f"/invoices/{theirs.pk}/").status_code == 404
    assert not Hold.objects.exists() and not Payment.objects.exists()


def test_the_page_costs_a_bounded_number_of_queries(viewer_client, workspace, django_assert_max_num_queries):
    alice = f.customer(workspace, "ALICE")
    inv = f.invoice(alice, "F-1", days(-30), amount="10000.00")
    for n in range(20):
        payment = f.pay(inv, days(-n - 1), amount="1.00", reference=f"R{n}")
        message = f.sent_message(alice, message_id=f"<m{n}@x>", run_date=days(-n - 1))
        MessageItem.objects.create(
            message=message, invoice=inv, stage=f"s{n}", step_index=n, outstanding=inv.amount
        )
        Attribution.objects.create(payment=payment, message=message, days_after=0)
        f.hold(inv, days(-n - 5), days(-n - 3))
    viewer_client.get(f"/invoices/{inv.pk}/")
    with django_assert_max_num_queries(10):
        assert viewer_client.get(f"/invoices/{inv.pk}/").status_code == 200
    assert Customer.objects.count() == 1 and Message.objects.count() == 20
