"""A real accounts-receivable export (IBM sample, ../shared/testdata): 2,466 invoices of 100 customers."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from relance.ledger.actions import do_import_rows
from relance.ledger.models import Invoice

SOURCE = Path("ar_dataset") / "WA_Fn-UseC_-Accounts-Receivable.csv"


def us_date(text: str) -> str:
    return datetime.strptime(text, "%m/%d/%Y").date().isoformat()


def test_a_real_receivables_export_imports_and_reimports_unchanged(workspace, testdata):
    path = testdata / SOURCE
    if not path.exists():
        pytest.skip(f"{path} not found")
    with path.open(encoding="utf-8", newline="") as handle:
        source = list(csv.DictReader(handle))
    customers = {
        row["customerID"]: {
            "customer_id": row["customerID"],
            "name": row["customerID"],
            "email": "ap@client.example",
        }
        for row in source
    }
    invoices = [
        {
            "number": row["invoiceNumber"],
            "customer_id": row["customerID"],
            "issue_date": us_date(row["InvoiceDate"]),
            "due_date": us_date(row["DueDate"]),
            "amount": row["InvoiceAmount"],
            "currency": "USD",
        }
        for row in source
    ]
    assert do_import_rows(workspace, "customers", customers.values(), "ar customers").created == len(
        customers
    )
    report = do_import_rows(workspace, "invoices", invoices, "ar invoices")
    assert report.ok, report.errors[:5]
    assert report.created == len(invoices) == Invoice.objects.count()
    again = do_import_rows(workspace, "invoices", invoices, "ar invoices")
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(invoices))
