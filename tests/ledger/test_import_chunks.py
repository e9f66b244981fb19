"""Large files are imported a chunk at a time: the all-or-nothing rules must hold across chunks."""

from __future__ import annotations

from datetime import date

import pytest

from relance.ledger import actions
from relance.ledger.actions import do_import_rows
from relance.ledger.models import Customer, Invoice, Payment
from tests import factories as f


@pytest.fixture(autouse=True)
def tiny_chunks(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(actions, "CHUNK_ROWS", 2)


def customers(count: int, bad_line_at: int | None = None) -> list[dict[str, str]]:
    rows = [
        {"customer_id": f"K{n}", "name": f"Client {n}", "email": f"k{n}@client.example"} for n in range(count)
    ]
    if bad_line_at is not None:
        rows[bad_line_at - 2]["email"] = "not-an-address"
    return rows


def test_rows_spread_over_many_chunks_are_all_written(workspace):
    report = do_import_rows(workspace, "customers", customers(7), "c.csv")
    assert (report.created, report.errors) == (7, [])
    assert Customer.objects.count() == 7


def test_a_bad_row_in_the_last_chunk_writes_nothing_from_the_earlier_ones(workspace):
    report = do_import_rows(workspace, "customers", customers(7, bad_line_at=8), "c.csv")
    assert [(e.line, e.column) for e in report.errors] == [(8, "email")]
    assert Customer.objects.count() == 0


def test_a_duplicate_key_in_a_later_chunk_is_reported(workspace):
    rows = customers(5)
    rows.append(dict(rows[0]))
    report = do_import_rows(workspace, "customers", rows, "c.csv")
    assert [(e.line, e.reason) for e in report.errors] == [(7, "duplicate: already on line 2")]
    assert Customer.objects.count() == 0


def test_an_overpayment_spread_over_chunks_is_caught(workspace):
    invoice = f.invoice(f.customer(workspace, "K1"), "F-1", date(2026, 2, 1), amount="100.00")
    rows = [
        {"invoice_number": "F-1", "date": "2026-02-02", "amount": "40", "reference": f"R{n}"}
        for n in range(3)
    ]
    report = do_import_rows(workspace, "payments", rows, "p.csv")
    assert [(e.line, e.column) for e in report.errors] == [(4, "amount")]
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_a_dry_run_over_many_chunks_counts_everything_and_keeps_nothing(workspace):
    do_import_rows(workspace, "customers", customers(3), "c.csv")
    report = do_import_rows(workspace, "customers", customers(7), "c.csv", dry_run=True)
    assert (report.created, report.unchanged, report.errors) == (4, 3, [])
    assert Customer.objects.count() == 3
    assert not Invoice.objects.exists()
