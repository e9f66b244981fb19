"""Importing invoices: dates, amounts, currencies, the customer they belong to."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from relance.ledger.actions import do_import, do_import_rows
from relance.ledger.models import Invoice
from tests import factories as f

HEADER = "number,customer_id,issue_date,due_date,amount,currency,status,pdf_url,payment_url\n"


@pytest.fixture
def martin(workspace):  # type: ignore[no-untyped-def]
    return f.customer(workspace, "C1")


def rows(*items: dict[str, str]) -> list[dict[str, str]]:
    base = {
        "number": "F-1",
        "customer_id": "C1",
        "issue_date": "2026-01-05",
        "due_date": "2026-02-04",
        "amount": "1200.00",
        "currency": "EUR",
    }
    return [{**base, **item} for item in items]


def test_invoices_are_created_then_left_unchanged(workspace, martin, write_file):
    text = HEADER + "F-1,C1,2026-01-05,2026-02-04,1200.00,EUR,,https://acme.example/F-1.pdf,\n"
    text += "F-2,C1,2026-01-06,2026-02-05,80.5,EUR,void,,https://pay.example/F-2\n"
    path = write_file("invoices.csv", text)
    first, again = do_import(workspace, "invoices", path), do_import(workspace, "invoices", path)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    f1, f2 = Invoice.objects.order_by("number")
    assert (f1.customer, f1.status, f1.pdf_url) == (martin, "open", "https://acme.example/F-1.pdf")
    assert (f2.amount, f2.status, f2.payment_url) == (Decimal("80.50"), "void", "https://pay.example/F-2")


def test_a_changed_due_date_updates_the_invoice(workspace, martin):
    do_import_rows(workspace, "invoices", rows({}), "rows")
    report = do_import_rows(workspace, "invoices", rows({"due_date": "2026-03-04"}), "rows")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert Invoice.objects.get().due_date == date(2026, 3, 4)


def test_an_invoice_can_move_to_another_customer(workspace, martin):
    other = f.customer(workspace, "C2")
    do_import_rows(workspace, "invoices", rows({}), "rows")
    assert do_import_rows(workspace, "invoices", rows({"customer_id": "C2"}), "rows").updated == 1
    assert Invoice.objects.get().customer == other


def test_decimal_comma_in_a_semicolon_file(workspace, martin, write_file):
    text = (
        "number;customer_id;issue_date;due_date;amount;currency\nF-1;C1;2026-01-05;2026-02-04;1 234,56;EUR\n"
    )
    report = do_import(workspace, "invoices", write_file("i.csv", text))
    assert report.ok, report.errors
    assert Invoice.objects.get().amount == Decimal("1234.56")


def test_a_quoted_decimal_comma_in_a_comma_file(workspace, martin, write_file):
    text = 'number,customer_id,issue_date,due_date,amount,currency\nF-1,C1,2026-01-05,2026-02-04,"99,9",EUR\n'
    assert do_import(workspace, "invoices", write_file("i.csv", text)).ok
    assert Invoice.objects.get().amount == Decimal("99.90")


@pytest.mark.parametrize("amount", ["1,234", "1.234", "1.234,56", "1,234.56"])
def test_an_ambiguous_amount_is_refused(workspace, martin, amount):
    report = do_import_rows(workspace, "invoices", rows({"amount": amount}), "rows")
    assert [(e.line, e.column, e.value) for e in report.errors] == [(2, "amount", amount)]
    assert Invoice.objects.count() == 0


@pytest.mark.parametrize(
    ("amount", "reason"),
    [("abc", "not a number"), ("0", "more than 0"), ("-5", "more than 0"), ("", "required")],
)
def test_an_amount_that_is_not_a_positive_number_is_refused(workspace, martin, amount, reason):
    report = do_import_rows(workspace, "invoices", rows({"amount": amount}), "rows")
    assert len(report.errors) == 1
    assert reason in report.errors[0].reason


@pytest.mark.parametrize("value", ["2026-13-01", "2026-02-30", "05/01/2026", "2026-1-5", "tomorrow"])
def test_a_date_that_is_not_a_real_iso_date_is_refused(workspace, martin, value):
    report = do_import_rows(
        workspace, "invoices", rows({"issue_date": value, "due_date": "2026-12-31"}), "rows"
    )
    assert [(e.line, e.column, e.value) for e in report.errors] == [(2, "issue_date", value)]


def test_a_due_date_before_the_issue_date_is_refused(workspace, martin):
    report = do_import_rows(workspace, "invoices", rows({"due_date": "2026-01-04"}), "rows")
    assert [(e.column, e.reason) for e in report.errors] == [
        ("due_date", "is before the issue date 2026-01-05")
    ]


def test_currency_must_be_iso_4217(workspace, martin):
    report = do_import_rows(
        workspace, "invoices", rows({"currency": "EURO"}, {"number": "F-2", "currency": "usd"}), "rows"
    )
    assert [(e.line, e.column) for e in report.errors] == [(2, "currency")]


def test_urls_must_be_http(workspace, martin):
    report = do_import_rows(
        workspace,
        "invoices",
        rows({"pdf_url": "ftp://acme.example/a.pdf", "payment_url": "javascript:alert(1)"}),
        "rows",
    )
    assert [e.column for e in report.errors] == ["pdf_url", "payment_url"]


def test_status_must_be_open_or_void(workspace, martin):
    report = do_import_rows(workspace, "invoices", rows({"status": "paid"}), "rows")
    assert [(e.column, e.reason) for e in report.errors] == [("status", "must be one of open, void")]


def test_an_unknown_customer_is_an_error_naming_it(workspace, martin):
    report = do_import_rows(workspace, "invoices", rows({}, {"number": "F-2", "customer_id": "C9"}), "rows")
    assert [(e.line, e.column, e.value) for e in report.errors] == [(3, "customer_id", "C9")]
    assert "import the customers first" in report.errors[0].reason
    assert Invoice.objects.count() == 0


def test_a_customer_of_another_workspace_is_unknown(workspace):
    from relance.accounts.models import Workspace

    other = Workspace.objects.create(slug="other", name="Other", sender="Paul <paul@other.example>")
    f.customer(other, "C1")
    report = do_import_rows(workspace, "invoices", rows({}), "rows")
    assert [e.column for e in report.errors] == ["customer_id"]


def test_every_bad_row_is_reported_and_nothing_is_written(workspace, martin, write_file):
    text = (
        HEADER
        + "F-1,C1,2026-01-05,2026-02-04,100,EUR,,,\n"
        + "F-2,C1,2026-13-01,2026-02-04,100,EUR,,,\n"
        + "F-3,C1,2026-01-05,2026-02-04,abc,EUR,,,\n"
        + "F-4,C9,2026-01-05,2026-02-04,100,EUR,,,\n"
        + "F-1,C1,2026-01-05,2026-02-04,100,EUR,,,\n"
    )
    report = do_import(workspace, "invoices", write_file("invoices.csv", text))
    assert [(e.line, e.column) for e in report.errors] == [
        (3, "issue_date"),
        (4, "amount"),
        (5, "customer_id"),
        (6, "number"),
    ]
    assert Invoice.objects.count() == 0


def test_currency_cannot_change_once_paid(workspace, martin):
    invoice = f.invoice(martin, "F-1", date(2026, 2, 4))
    f.pay(invoice, date(2026, 2, 10), "100.00")
    report = do_import_rows(workspace, "invoices", rows({"currency": "USD"}), "rows")
    assert [(e.column, e.value) for e in report.errors] == [("currency", "USD")]
    assert "already has payments" in report.errors[0].reason
    assert Invoice.objects.get().currency == "EUR"


def test_currency_can_change_before_any_payment(workspace, martin):
    f.invoice(martin, "F-1", date(2026, 2, 4), amount="1200.00", issued=date(2026, 1, 5))
    assert do_import_rows(workspace, "invoices", rows({"currency": "CHF"}), "rows").updated == 1


def test_amount_cannot_drop_below_what_was_paid(workspace, martin):
    invoice = f.invoice(martin, "F-1", date(2026, 2, 4))
    f.pay(invoice, date(2026, 2, 10), "500.00")
    report = do_import_rows(workspace, "invoices", rows({"amount": "400"}), "rows")
    assert [(e.column, e.reason) for e in report.errors] == [
        ("amount", "is less than the 500.00 already paid on this invoice")
    ]
    assert do_import_rows(workspace, "invoices", rows({"amount": "500"}), "rows").updated == 1


def test_dry_run_writes_nothing(workspace, martin):
    report = do_import_rows(workspace, "invoices", rows({}), "rows", dry_run=True)
    assert report.created == 1
    assert Invoice.objects.count() == 0
