"""Importing payments: partial payments add up, never beyond the invoice amount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from relance.ledger.actions import do_import, do_import_rows
from relance.ledger.models import Payment
from relance.ledger.queries import paid_totals
from tests import factories as f


@pytest.fixture
def invoice(workspace):  # type: ignore[no-untyped-def]
    return f.invoice(f.customer(workspace, "C1"), "F-1", date(2026, 2, 4), amount="1000.00")


def pay(reference: str, amount: str, day: str = "2026-02-10", number: str = "F-1") -> dict[str, str]:
    return {"invoice_number": number, "date": day, "amount": amount, "reference": reference}


def test_partial_payments_add_up(workspace, invoice):
    report = do_import_rows(workspace, "payments", [pay("VIR-1", "300"), pay("VIR-2", "450,50")], "rows")
    assert report.created == 2
    assert paid_totals([invoice.pk]) == {invoice.pk: Decimal("750.50")}
    assert do_import_rows(workspace, "payments", [pay("VIR-3", "249.50")], "rows").ok
    assert paid_totals([invoice.pk]) == {invoice.pk: Decimal("1000.00")}


def test_reimporting_payments_changes_nothing(workspace, invoice, write_file):
    text = "invoice_number;date;amount;reference\nF-1;2026-02-10;300,00;VIR-1\nF-1;2026-02-11;700;VIR-2\n"
    path = write_file("payments.csv", text)
    assert do_import(workspace, "payments", path).created == 2
    again = do_import(workspace, "payments", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Payment.objects.count() == 2


def test_a_corrected_payment_is_updated_not_added(workspace, invoice):
    do_import_rows(workspace, "payments", [pay("VIR-1", "300")], "rows")
    report = do_import_rows(workspace, "payments", [pay("VIR-1", "1000", day="2026-02-12")], "rows")
    assert (report.created, report.updated) == (0, 1)
    payment = Payment.objects.get()
    assert (payment.amount, payment.date) == (Decimal("1000.00"), date(2026, 2, 12))


def test_an_overpayment_inside_the_file_is_an_error_on_the_row_that_overpays(workspace, invoice):
    report = do_import_rows(
        workspace, "payments", [pay("VIR-1", "600"), pay("VIR-2", "300"), pay("VIR-3", "200")], "rows"
    )
    assert [(e.line, e.column, e.value) for e in report.errors] == [(4, "amount", "200.00")]
    assert "overpays invoice F-1" in report.errors[0].reason
    assert Payment.objects.count() == 0


def test_an_overpayment_counting_payments_already_recorded_is_an_error(workspace, invoice):
    f.pay(invoice, date(2026, 2, 5), "900.00", reference="CHQ-1")
    report = do_import_rows(workspace, "payments", [pay("VIR-1", "100.01")], "rows")
    assert [e.column for e in report.errors] == ["amount"]
    assert do_import_rows(workspace, "payments", [pay("VIR-1", "100")], "rows").ok


def test_a_payment_for_an_unknown_invoice_is_an_error(workspace, invoice):
    report = do_import_rows(
        workspace, "payments", [pay("VIR-1", "10"), pay("VIR-2", "10", number="F-404")], "rows"
    )
    assert [(e.line, e.column, e.value) for e in report.errors] == [(3, "invoice_number", "F-404")]
    assert Payment.objects.count() == 0


def test_the_same_reference_may_pay_two_invoices(workspace, invoice):
    f.invoice(invoice.customer, "F-2", date(2026, 2, 4), amount="50.00")
    report = do_import_rows(
        workspace, "payments", [pay("VIR-1", "10"), pay("VIR-1", "50", number="F-2")], "rows"
    )
    assert report.created == 2


def test_a_reference_twice_for_one_invoice_is_a_duplicate(workspace, invoice):
    report = do_import_rows(workspace, "payments", [pay("VIR-1", "10"), pay("VIR-1", "20")], "rows")
    assert [(e.line, e.column, e.reason) for e in report.errors] == [
        (3, "reference", "duplicate: already on line 2")
    ]


def test_reference_and_date_are_required(workspace, invoice):
    report = do_import_rows(workspace, "payments", [pay("", "10", day="")], "rows")
    assert sorted(e.column for e in report.errors) == ["date", "reference"]


def test_dry_run_checks_overpayment_and_writes_nothing(workspace, invoice):
    ok = do_import_rows(workspace, "payments", [pay("VIR-1", "10")], "rows", dry_run=True)
    bad = do_import_rows(workspace, "payments", [pay("VIR-1", "1010")], "rows", dry_run=True)
    assert ok.created == 1 and not bad.ok
    assert Payment.objects.count() == 0
