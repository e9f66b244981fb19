"""Imports load existing rows by key in a few queries and write in batches: the number of queries grows with
the number of batches, never with the number of rows. (Speed itself is measured by `make bench`.)"""

from __future__ import annotations

from datetime import date

from relance.ledger.actions import do_import_rows
from relance.ledger.models import Invoice, Payment
from tests import factories as f

ROWS = 1500
# Well under one query per row: SQLite inserts ~76 rows per statement (999 bound parameters).
MAX_QUERIES = 60


def test_customers_invoices_and_payments_import_in_few_queries(workspace, django_assert_max_num_queries):
    customers = [
        {"customer_id": f"C{i}", "name": f"Client {i}", "email": f"c{i}@x.example"} for i in range(ROWS)
    ]
    invoices = [
        {
            "number": f"F{i}",
            "customer_id": f"C{i}",
            "issue_date": "2026-01-01",
            "due_date": "2026-01-31",
            "amount": "100",
            "currency": "EUR",
        }
        for i in range(ROWS)
    ]
    payments = [
        {"invoice_number": f"F{i}", "date": "2026-02-01", "amount": "40", "reference": "R"}
        for i in range(ROWS)
    ]
    for kind, rows in (("customers", customers), ("invoices", invoices), ("payments", payments)):
        with django_assert_max_num_queries(MAX_QUERIES):
            assert do_import_rows(workspace, kind, rows, kind).created == ROWS
        changed = [{**row, "amount": "50"} if kind != "customers" else {**row, "name": "New"} for row in rows]
        with django_assert_max_num_queries(MAX_QUERIES):
            assert do_import_rows(workspace, kind, changed, kind).updated == ROWS
    assert Payment.objects.filter(amount=50).count() == Invoice.objects.filter(amount=50).count() == ROWS


def test_existing_payments_are_counted_in_bulk_for_overpayment(workspace, django_assert_max_num_queries):
    owner = f.customer(workspace, "C1")
    for i in range(200):
        f.pay(f.invoice(owner, f"F{i}", date(2026, 1, 31), amount="100.00"), date(2026, 2, 1), "90.00")
    rows = [
        {"invoice_number": f"F{i}", "date": "2026-02-02", "amount": "20", "reference": "X"}
        for i in range(200)
    ]
    with django_assert_max_num_queries(5):
        report = do_import_rows(workspace, "payments", rows, "payments")
    assert len(report.errors) == 200
