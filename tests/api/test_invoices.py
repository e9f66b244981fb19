"""Invoices through the API: list and filters (status, customer, paid, overdue, due dates), one by number,
upsert (one and bulk) with the importer's rules and messages. Money is a string with two decimals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from relance.accounts.models import Workspace
from relance.ledger.models import Invoice
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

NEW = {
    "number": "F-10",
    "customer_id": "C1",
    "issue_date": "2026-01-01",
    "due_date": "2026-01-31",
    "amount": "1 234,50",
    "currency": "eur",
}


def numbers(client: ApiClient, **query: Any) -> list[str]:
    response = client.get("/api/invoices", query)
    assert response.status_code == 200, response.content
    return [i["number"] for i in response.json()["items"]]


def test_list_orders_by_due_date_and_shows_money_as_strings(
    viewer_api: ApiClient, ledger: dict[str, Any]
) -> None:
    page = viewer_api.get("/api/invoices").json()
    assert page["count"] == 3
    assert [i["number"] for i in page["items"]] == ["F/2026/3", "F-1", "F-2"]
    f1 = page["items"][1]
    assert (f1["amount"], f1["amount_paid"], f1["outstanding"], f1["paid"]) == (
        "1200.00",
        "200.00",
        "1000.00",
        False,
    )
    f3 = page["items"][0]
    assert (f3["amount"], f3["outstanding"], f3["paid"]) == ("300.50", "0.00", True)
    assert f1["customer_id"] == "C1"
    assert f1["due_date"] == ledger["f1"].due_date.isoformat()


def test_list_filters(viewer_api: ApiClient, ledger: dict[str, Any], today: date) -> None:
    factories.invoice(ledger["c2"], "V-1", today - timedelta(days=90), status=Invoice.VOID)
    assert numbers(viewer_api, status="void") == ["V-1"]
    assert numbers(viewer_api, customer="C2") == ["V-1", "F/2026/3"]
    assert numbers(viewer_api, paid="true") == ["F/2026/3"]
    assert numbers(viewer_api, overdue="true") == ["F-1"]
    assert numbers(viewer_api, overdue="false") == ["V-1", "F/2026/3", "F-2"]
    assert numbers(viewer_api, due_after=today.isoformat()) == ["F-2"]
    assert numbers(viewer_api, due_before=(today - timedelta(days=60)).isoformat()) == ["V-1", "F/2026/3"]


def test_the_workspace_tolerance_counts_as_paid(
    viewer_api: ApiClient, ledger: dict[str, Any], workspace: Workspace
) -> None:
    factories.pay(ledger["f1"], date(2026, 1, 1), amount="999.50", reference="VIR-2")
    assert numbers(viewer_api, paid="true") == ["F/2026/3"]
    workspace.tolerance = Decimal("0.50")
    workspace.save()
    assert numbers(viewer_api, paid="true") == ["F/2026/3", "F-1"]
    assert numbers(viewer_api, overdue="true") == []


def test_an_invoice_by_number_even_with_slashes(viewer_api: ApiClient, ledger: dict[str, Any]) -> None:
    assert viewer_api.get("/api/invoices/F/2026/3").json()["amount_paid"] == "300.50"
    assert viewer_api.get("/api/invoices/F%2F2026%2F3").json()["number"] == "F/2026/3"
    response = viewer_api.get("/api/invoices/F-404")
    assert response.status_code == 404
    assert response.json()["detail"] == "no invoice numbered 'F-404'"


def test_create_then_update_then_unchanged(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    created = collector_api.call("post", "/invoices", NEW)
    assert created.status_code == 201
    assert (created.json()["amount"], created.json()["currency"]) == ("1234.50", "EUR")
    invoice = Invoice.objects.get(number="F-10")
    assert invoice.amount == Decimal("1234.50")
    updated = collector_api.call("post", "/invoices", {**NEW, "status": "void"})
    assert updated.status_code == 200
    assert updated.json()["status"] == "void"
    again = collector_api.call("post", "/invoices", {**NEW, "status": "void"})
    assert again.status_code == 200
    assert Invoice.objects.filter(number="F-10").count() == 1


def test_an_amount_below_what_is_paid_is_refused(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    row = {**NEW, "number": "F-1", "amount": "100.00"}
    response = collector_api.call("post", "/invoices", row)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["message"]) == (
        "amount",
        "is less than the 200.00 already paid on this invoice",
    )
    assert Invoice.objects.get(number="F-1").amount == Decimal("1200.00")


def test_bulk_import_names_every_bad_row_and_field_and_writes_nothing(
    collector_api: ApiClient, ledger: dict[str, Any]
) -> None:
    rows = [
        NEW,
        {**NEW, "number": "F-11", "due_date": "31/01/2026"},
        {**NEW, "number": "F-12", "amount": "1,234", "customer_id": "C404"},
        {**NEW, "number": "F-13", "issue_date": "2026-02-01"},
    ]
    response = collector_api.call("post", "/imports/invoices", {"rows": rows})
    assert response.status_code == 400
    errors = [(e["row"], e["field"], e["value"]) for e in response.json()["errors"]]
    assert errors == [
        (1, "due_date", "31/01/2026"),
        (2, "amount", "1,234"),
        (3, "due_date", "2026-01-31"),
    ]
    assert "is before the issue date 2026-02-01" in response.json()["errors"][2]["message"]
    assert not Invoice.objects.filter(number__in=["F-10", "F-11", "F-12", "F-13"]).exists()


def test_bulk_import_reports_unknown_customers_after_the_rows_are_valid(
    collector_api: ApiClient, ledger: dict[str, Any]
) -> None:
    response = collector_api.call(
        "post", "/imports/invoices", {"rows": [NEW, {**NEW, "number": "F-11", "customer_id": "C404"}]}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": 1,
            "field": "customer_id",
            "value": "C404",
            "message": "no customer with this customer_id: import the customers first",
        }
    ]
    assert not Invoice.objects.filter(number="F-10").exists()


def test_bulk_import_is_idempotent(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    rows = [NEW, {**NEW, "number": "F-11"}]
    first = collector_api.call("post", "/imports/invoices", {"rows": rows}).json()
    second = collector_api.call("post", "/imports/invoices", {"rows": rows}).json()
    assert (first["created"], second["created"], second["unchanged"]) == (2, 0, 2)
    assert Invoice.objects.filter(number__in=["F-10", "F-11"]).count() == 2


def test_an_amount_must_be_a_string(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    response = collector_api.call("post", "/invoices", {**NEW, "amount": 1234.5})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount"
    assert not Invoice.objects.filter(number="F-10").exists()
