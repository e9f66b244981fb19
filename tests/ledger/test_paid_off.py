"""Invoice.paid_off_on and first_payment_on (relance.ledger.paid_off): kept equal to kpi.paid_date and the
first payment's date by every write of a payment, an amount or the workspace's tolerance, in the write's own
transaction."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from relance.accounts.models import Workspace
from relance.accounts.settings_actions import do_update_settings
from relance.engine import kpi
from relance.ledger.actions import do_import_rows
from relance.ledger.actions_web import do_record_payment
from relance.ledger.models import Invoice, Payment
from relance.ledger.paid_off import refresh_workspace_paid_off
from tests import factories as f

pytestmark = pytest.mark.django_db


def expected(invoice: Invoice) -> tuple[date | None, date | None]:
    """(paid off on, first payment on) by the pure formula, from the payments as they are now."""
    invoice.refresh_from_db()
    payments = tuple(invoice.payments.values_list("date", "amount"))
    facts = kpi.InvoiceFacts(invoice.issue_date, invoice.due_date, invoice.amount, payments)
    first = min((day for day, _ in payments), default=None)
    return kpi.paid_date(facts, invoice.workspace.tolerance), first


def stored(invoice: Invoice) -> tuple[date | None, date | None]:
    invoice.refresh_from_db()
    return invoice.paid_off_on, invoice.first_payment_on


def pay(number: str, day: str, amount: str, reference: str) -> dict[str, str]:
    return {"invoice_number": number, "date": day, "amount": amount, "reference": reference}


@pytest.fixture
def other_workspace(db: None) -> Workspace:
    return Workspace.objects.create(slug="globex", name="Globex", sender="Hank <hank@globex.example>")


@pytest.fixture
def invoice(workspace: Workspace) -> Invoice:
    return f.invoice(f.customer(workspace, "C1"), "F-1", date(2026, 2, 1), "1000.00")


def test_a_new_invoice_is_not_paid_off(invoice: Invoice) -> None:
    assert stored(invoice) == (None, None)


def test_imported_payments_partial_then_in_full(workspace: Workspace, invoice: Invoice) -> None:
    do_import_rows(workspace, "payments", [pay("F-1", "2026-02-10", "300", "V1")], "rows")
    assert stored(invoice) == (None, date(2026, 2, 10)) == expected(invoice)
    # Two payments the same day: the day they add up to the amount is the paid-off day.
    rows = [pay("F-1", "2026-03-05", "500", "V2"), pay("F-1", "2026-03-05", "200", "V3")]
    do_import_rows(workspace, "payments", rows, "rows")
    assert stored(invoice) == (date(2026, 3, 5), date(2026, 2, 10)) == expected(invoice)


def test_payments_out_of_date_order_are_taken_in_date_order(workspace: Workspace, invoice: Invoice) -> None:
    rows = [pay("F-1", "2026-03-20", "600", "LATE"), pay("F-1", "2026-02-15", "400", "EARLY")]
    do_import_rows(workspace, "payments", rows, "rows")
    assert stored(invoice) == (date(2026, 3, 20), date(2026, 2, 15)) == expected(invoice)


def test_a_corrected_payment_moves_the_date(workspace: Workspace, invoice: Invoice) -> None:
    do_import_rows(workspace, "payments", [pay("F-1", "2026-02-10", "1000", "V1")], "rows")
    assert stored(invoice)[0] == date(2026, 2, 10)
    do_import_rows(workspace, "payments", [pay("F-1", "2026-02-10", "900", "V1")], "rows")
    assert stored(invoice) == (None, date(2026, 2, 10)) == expected(invoice)


def test_an_invoice_amount_changed_by_an_import(workspace: Workspace, invoice: Invoice) -> None:
    do_import_rows(workspace, "payments", [pay("F-1", "2026-02-10", "900", "V1")], "rows")
    assert stored(invoice)[0] is None
    row = {
        "number": "F-1",
        "customer_id": "C1",
        "issue_date": "2026-01-02",
        "due_date": "2026-02-01",
        "amount": "900.00",
        "currency": "EUR",
    }
    assert do_import_rows(workspace, "invoices", [row], "rows").updated == 1
    assert stored(invoice)[0] == date(2026, 2, 10) == expected(invoice)[0]


def test_a_dry_run_leaves_nothing(workspace: Workspace, invoice: Invoice) -> None:
    do_import_rows(workspace, "payments", [pay("F-1", "2026-02-10", "1000", "V1")], "rows", dry_run=True)
    assert stored(invoice) == (None, None)


def test_a_payment_recorded_on_the_web(workspace: Workspace, invoice: Invoice) -> None:
    do_record_payment(workspace, invoice, amount=Decimal("400"), on=date(2026, 2, 20), today=date(2026, 3, 1))
    assert stored(invoice) == (None, date(2026, 2, 20))
    do_record_payment(workspace, invoice, amount=Decimal("600"), on=date(2026, 2, 25), today=date(2026, 3, 1))
    assert stored(invoice) == (date(2026, 2, 25), date(2026, 2, 20)) == expected(invoice)


def test_payments_saved_moved_and_deleted_through_the_orm(workspace: Workspace, invoice: Invoice) -> None:
    """The admin and the tests' factories write single rows: the signal receivers keep up."""
    other = f.invoice(invoice.customer, "F-2", date(2026, 2, 1), "500.00")
    payment = f.pay(invoice, date(2026, 2, 10), "1000.00")
    assert stored(invoice)[0] == date(2026, 2, 10)
    payment.date = date(2026, 2, 12)
    payment.save()
    assert stored(invoice)[0] == date(2026, 2, 12)
    payment.invoice, payment.amount = other, Decimal("500.00")
    payment.save()
    assert stored(invoice) == (None, None) and stored(other) == (date(2026, 2, 12), date(2026, 2, 12))
    Payment.objects.filter(pk=payment.pk).delete()
    assert stored(other) == (None, None)


def test_an_amount_changed_through_the_orm(invoice: Invoice) -> None:
    f.pay(invoice, date(2026, 2, 10), "800.00")
    assert stored(invoice)[0] is None
    invoice.amount = Decimal("800.00")
    invoice.save()
    assert stored(invoice)[0] == date(2026, 2, 10)


def test_the_tolerance(workspace: Workspace, invoice: Invoice) -> None:
    f.pay(invoice, date(2026, 2, 10), "999.70")
    f.pay(invoice, date(2026, 3, 1), "0.30")
    assert stored(invoice)[0] == date(2026, 3, 1)
    do_update_settings(workspace, "calendar", {"tolerance": Decimal("0.50")})
    assert stored(invoice)[0] == date(2026, 2, 10) == expected(invoice)[0]
    workspace.tolerance = Decimal("0.29")  # any save of the workspace, not only the settings page
    workspace.save()
    assert stored(invoice)[0] == date(2026, 3, 1) == expected(invoice)[0]


def test_an_amount_within_the_tolerance_is_paid_off_by_its_first_payment(workspace: Workspace) -> None:
    workspace.tolerance = Decimal("5.00")
    workspace.save()
    small = f.invoice(f.customer(workspace, "C2"), "S-1", date(2026, 2, 1), "3.00")
    assert stored(small) == (None, None) == expected(small)
    f.pay(small, date(2026, 2, 3), "1.00")
    assert stored(small) == (date(2026, 2, 3), date(2026, 2, 3)) == expected(small)


def test_only_the_workspace_whose_tolerance_changed(workspace: Workspace, other_workspace: Workspace) -> None:
    mine = f.invoice(f.customer(workspace, "C1"), "F-1", date(2026, 2, 1), "100.00")
    theirs = f.invoice(f.customer(other_workspace, "C1"), "F-1", date(2026, 2, 1), "100.00")
    f.pay(mine, date(2026, 2, 5), "99.80")
    f.pay(theirs, date(2026, 2, 5), "99.80")
    Invoice.objects.filter(pk=theirs.pk).update(paid_off_on=date(2000, 1, 1))  # a marker
    workspace.tolerance = Decimal("0.20")
    workspace.save()
    assert stored(mine)[0] == date(2026, 2, 5)
    assert stored(theirs)[0] == date(2000, 1, 1)


def test_the_migration_fills_what_the_refresh_computes(workspace: Workspace) -> None:
    customer = f.customer(workspace, "C1")
    invoices = [f.invoice(customer, f"F-{n}", date(2026, 2, 1), "100.00") for n in range(4)]
    f.pay(invoices[0], date(2026, 2, 3), "100.00")
    f.pay(invoices[1], date(2026, 2, 3), "40.00")
    f.pay(invoices[1], date(2026, 2, 9), "60.00")
    f.pay(invoices[2], date(2026, 2, 4), "10.00")
    Invoice.objects.update(paid_off_on=None, first_payment_on=None)
    migration = importlib.import_module("relance.ledger.migrations.0006_invoice_paid_off")

    class Editor:  # what the migration's RunPython uses of a schema editor
        def execute(self, sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.fill(None, Editor())
    filled = [stored(invoice) for invoice in invoices]
    assert filled == [expected(invoice) for invoice in invoices]
    refresh_workspace_paid_off(workspace.pk)
    assert [stored(invoice) for invoice in invoices] == filled
