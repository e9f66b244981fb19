"""The ledger KPIs on a real accounts-receivable history (IBM sample, ../shared/testdata): 2,466 invoices of
100 customers, 2012-2013, each settled once. Days late, DSO and ageing from the report are checked against an
independent computation over the CSV rows, written here in plain Python."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal

import pytest

from relance.engine import kpi
from relance.ledger.actions import do_import_rows
from relance.ledger.models import Invoice, Payment
from relance.tracking.reports import build_report

SOURCE = "ar_dataset/WA_Fn-UseC_-Accounts-Receivable.csv"
START, END = date(2013, 1, 1), date(2013, 6, 30)


def us_date(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y").date()


@pytest.fixture
def rows(testdata):
    path = testdata / SOURCE
    if not path.exists():
        pytest.skip(f"{path} not found")
    with path.open(encoding="utf-8", newline="") as handle:
        source = list(csv.DictReader(handle))
    return [
        {
            "number": row["invoiceNumber"],
            "customer": row["customerID"],
            "issued": us_date(row["InvoiceDate"]),
            "due": us_date(row["DueDate"]),
            "settled": us_date(row["SettledDate"]),
            "amount": Decimal(row["InvoiceAmount"]),
            "days_late": int(row["DaysLate"]),
        }
        for row in source
    ]


@pytest.fixture
def ledger(workspace, rows):
    customers = {
        r["customer"]: {"customer_id": r["customer"], "name": r["customer"], "email": "ap@x.example"}
        for r in rows
    }
    invoices = [
        {
            "number": r["number"],
            "customer_id": r["customer"],
            "issue_date": r["issued"].isoformat(),
            "due_date": r["due"].isoformat(),
            "amount": str(r["amount"]),
            "currency": "USD",
        }
        for r in rows
    ]
    payments = [
        {
            "invoice_number": r["number"],
            "date": r["settled"].isoformat(),
            "amount": str(r["amount"]),
            "reference": "settled",
        }
        for r in rows
    ]
    for kind, data in (("customers", customers.values()), ("invoices", invoices), ("payments", payments)):
        report = do_import_rows(workspace, kind, data, f"ar {kind}")
        assert report.ok, report.errors[:5]
    assert Invoice.objects.count() == Payment.objects.count() == len(rows) == 2466
    return workspace


# --- the independent computation: plain Python over the CSV rows -----------------------------------------


def open_on(row, day):
    return row["issued"] <= day < row["settled"]


def independent_ageing(rows, day):
    buckets = {
        "not_due": Decimal(0),
        "1_30": Decimal(0),
        "31_60": Decimal(0),
        "61_90": Decimal(0),
        "over_90": Decimal(0),
    }
    for row in rows:
        if not open_on(row, day):
            continue
        late = (day - row["due"]).days
        name = (
            "not_due"
            if late <= 0
            else "1_30"
            if late <= 30
            else "31_60"
            if late <= 60
            else "61_90"
            if late <= 90
            else "over_90"
        )
        buckets[name] += row["amount"]
    return {name: f"{value:.2f}" for name, value in buckets.items()}


def independent_dso(rows, month_end):
    """Countback over calendar months, `month_end` being the last day of a month."""
    balance = sum((r["amount"] for r in rows if open_on(r, month_end)), Decimal(0))
    year, month, total = month_end.year, month_end.month, Decimal(0)
    while balance > 0:
        first = date(year, month, 1)
        last = date(year + month // 12, month % 12 + 1, 1)  # first day of the next month
        days = (last - first).days
        sales = sum((r["amount"] for r in rows if first <= r["issued"] < last), Decimal(0))
        if balance > sales:
            total += days
            balance -= sales
        else:
            total += days * balance / sales
            balance = Decimal(0)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return float(total)


def independent_avg_days_late(rows, start, end):
    late = [max(0, (r["settled"] - r["due"]).days) for r in rows if start <= r["settled"] <= end]
    return sum(late) / len(late)


# --- the checks -----------------------------------------------------------------------------------------


def test_dataset_days_late_column_agrees_with_ours(ledger, rows):
    by_number = {r["number"]: r["days_late"] for r in rows}
    payments = {p.invoice_id: (p.date, p.amount) for p in Payment.objects.all()}
    ours = {
        inv.number: kpi.days_late(
            kpi.InvoiceFacts(inv.issue_date, inv.due_date, inv.amount, (payments[inv.pk],))
        )
        for inv in Invoice.objects.all()
    }
    assert ours == by_number
    assert sum(1 for value in ours.values() if value and value > 0) == 877


@pytest.mark.parametrize(
    ("start", "end"),
    [(START, END), (date(2012, 1, 1), date(2012, 12, 31)), (date(2013, 7, 1), date(2013, 12, 31))],
)
def test_avg_days_late_dso_and_ageing_match_the_independent_computation(ledger, rows, start, end):
    report = build_report(ledger, start, end)
    expected_late = independent_avg_days_late(rows, start, end)
    column_late = [r["days_late"] for r in rows if start <= r["settled"] <= end]
    assert report["avg_days_late"] == pytest.approx(expected_late, abs=0.005)
    assert report["avg_days_late"] == pytest.approx(sum(column_late) / len(column_late), abs=0.005)
    assert report["dso"] == pytest.approx(independent_dso(rows, end), abs=0.005)
    assert report["ageing"] == independent_ageing(rows, end)
    receivables = sum((r["amount"] for r in rows if open_on(r, end)), Decimal(0))
    assert report["receivables"] == f"{receivables:.2f}"


@pytest.mark.parametrize("day", [date(2012, 3, 15), date(2013, 2, 10), date(2013, 10, 31)])
def test_ageing_on_other_days(ledger, rows, day):
    invoices = [
        kpi.InvoiceFacts(r["issued"], r["due"], r["amount"], ((r["settled"], r["amount"]),)) for r in rows
    ]
    ours = {name: f"{value:.2f}" for name, value in kpi.ageing(invoices, day).items()}
    assert ours == independent_ageing(rows, day)
    from_db = build_report(ledger, day, day)["ageing"]
    assert from_db == independent_ageing(rows, day)


def test_print_numbers(ledger, rows, capsys):
    """Not a check: the numbers for the record (pytest -s)."""
    for start, end in [
        (START, END),
        (date(2012, 1, 1), date(2012, 12, 31)),
        (date(2013, 7, 1), date(2013, 12, 31)),
    ]:
        report = build_report(ledger, start, end)
        late = independent_avg_days_late(rows, start, end)
        with capsys.disabled():
            print(f"\nAR {start}..{end}: avg_days_late {report['avg_days_late']} vs {late:.4f}")
            print(f"  dso {report['dso']} vs {independent_dso(rows, end):.4f}")
            print(f"  ageing {report['ageing']}\n  vs     {independent_ageing(rows, end)}")
