"""Payments through the API: list and filters, record one or many with the importer's rules (partial
payments add up, overpayments refused, upsert by invoice and reference) and its attribution to reminders."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from relance.ledger.models import Payment
from relance.tracking.models import Attribution
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_list_newest_first_with_filters(viewer_api: ApiClient, ledger: dict[str, Any], today: date) -> None:
    page = viewer_api.get("/api/payments").json()
    assert [(p["reference"], p["invoice_number"], p["amount"]) for p in page["items"]] == [
        ("VIR-1", "F-1", "200.00"),
        ("VIR-3", "F/2026/3", "300.50"),
    ]
    refs = lambda **q: [p["reference"] for p in viewer_api.get("/api/payments", q).json()["items"]]  # noqa: E731
    assert refs(invoice="F/2026/3") == ["VIR-3"]
    assert refs(customer="C1") == ["VIR-1"]
    assert refs(date_from=(today - timedelta(days=20)).isoformat()) == ["VIR-1"]
    assert refs(date_to=(today - timedelta(days=20)).isoformat()) == ["VIR-3"]


def test_a_payment_after_a_reminder_is_credited_to_it(
    collector_api: ApiClient, ledger: dict[str, Any], today: date
) -> None:
    """The sent reminder ran 20 days ago; a payment 5 days after it falls in the 14-day window."""
    on = (today - timedelta(days=15)).isoformat()
    response = collector_api.call(
        "post", "/payments", {"invoice_number": "F-1", "date": on, "amount": "500,00", "reference": "VIR-2"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["amount"], body["customer_id"], body["attributed_to"]) == ("500.00", "C1", ledger["sent"].pk)
    assert Attribution.objects.get(payment__reference="VIR-2").message == ledger["sent"]
    invoice = collector_api.get("/api/invoices/F-1").json()
    assert (invoice["amount_paid"], invoice["outstanding"]) == ("700.00", "500.00")


def test_recording_the_same_payment_twice_changes_nothing(
    collector_api: ApiClient, ledger: dict[str, Any]
) -> None:
    payment = {"invoice_number": "F-2", "date": "2026-01-10", "amount": "100.00", "reference": "CHQ-7"}
    assert collector_api.call("post", "/payments", payment).status_code == 201
    assert collector_api.call("post", "/payments", payment).status_code == 200
    assert Payment.objects.filter(reference="CHQ-7").count() == 1
    changed = collector_api.call("post", "/payments", {**payment, "amount": "150.00"})
    assert changed.status_code == 200
    assert Payment.objects.get(reference="CHQ-7").amount == Decimal("150.00")


def test_an_overpayment_is_refused_and_nothing_is_written(
    collector_api: ApiClient, ledger: dict[str, Any]
) -> None:
    payment = {"invoice_number": "F-1", "date": "2026-01-10", "amount": "1000.01", "reference": "VIR-9"}
    response = collector_api.call("post", "/payments", payment)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["value"]) == ("amount", "1000.01")
    assert error["message"].startswith("overpays invoice F-1: 200.00 already paid")
    assert not Payment.objects.filter(reference="VIR-9").exists()


def test_bulk_import_counts_partial_payments_together(
    collector_api: ApiClient, ledger: dict[str, Any]
) -> None:
    rows = [
        {"invoice_number": "F-2", "date": "2026-01-10", "amount": "300.00", "reference": "A"},
        {"invoice_number": "F-2", "date": "2026-01-11", "amount": "300.00", "reference": "B"},
    ]
    response = collector_api.call("post", "/imports/payments", {"rows": rows})
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "amount")]
    assert "(rows above included)" in response.json()["errors"][0]["message"]
    assert not Payment.objects.filter(reference__in=["A", "B"]).exists()
    rows[1]["amount"] = "200.00"
    ok = collector_api.call("post", "/imports/payments", {"rows": rows})
    assert ok.json()["created"] == 2
    assert collector_api.get("/api/invoices/F-2").json()["paid"] is True


def test_a_payment_for_an_unknown_invoice_names_the_field(
    collector_api: ApiClient, ledger: dict[str, Any]
) -> None:
    rows = [{"invoice_number": "F-404", "date": "2026-01-10", "amount": "1.00", "reference": "Z"}]
    response = collector_api.call("post", "/imports/payments", {"rows": rows})
    assert response.json()["errors"] == [
        {
            "row": 0,
            "field": "invoice_number",
            "value": "F-404",
            "message": "no invoice with this number: import the invoices first",
        }
    ]
