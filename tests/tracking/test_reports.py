"""`relance report`: KPIs of a small hand-computed month, as JSON, CSV and a table."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command

from relance.tracking.attribution import do_recompute_workspace_attribution
from relance.tracking.models import Event, Reply
from relance.tracking.reports import build_report
from tests import factories
from tests.tracking.test_attribution import event, sent_message

pytestmark = pytest.mark.django_db

MESSAGE_KEYS = {
    "sent",
    "delivered",
    "open_rate",
    "click_rate",
    "response_rate",
    "conversion_rate",
    "avg_days_to_payment",
    "invoices_paid_after_reminder",
    "amount_recovered",
    "recovery_rate",
}


@pytest.fixture
def month(workspace):
    """Two invoices due 1 March (issued 30 January); three reminders in March; one bounce, one reply."""
    smb = factories.customer(workspace, "C1", segment="smb")
    key = factories.customer(workspace, "C2", segment="key")
    due = date(2025, 3, 1)
    inv1 = factories.invoice(smb, "F-1", due, "1200.00")
    inv2 = factories.invoice(key, "F-2", due, "800.00")
    m1 = sent_message(smb, date(2025, 3, 4), inv1, stage="first")
    m2 = sent_message(key, date(2025, 3, 4), inv2, stage="first")
    m3 = sent_message(smb, date(2025, 3, 16), inv1, stage="second")
    event(m1, Event.OPENED)
    event(m1, Event.OPENED)  # unique messages: twice is once
    event(m1, Event.CLICKED)
    event(m2, Event.BOUNCED, bounce_kind="hard")
    event(m3, Event.OPENED)
    Reply.objects.create(
        workspace=workspace,
        message=m3,
        customer=smb,
        header_message_id="<r1@client.example>",
        from_address=smb.email,
        received_at=datetime(2025, 3, 17, 10, tzinfo=UTC),
    )
    factories.pay(inv1, date(2025, 3, 20), reference="P1")  # 4 days after m3
    factories.pay(inv2, date(2025, 3, 10), "300.00", reference="P2")  # after a bounced reminder only
    do_recompute_workspace_attribution(workspace)
    return workspace


def test_report_numbers(month):
    report = build_report(month, date(2025, 3, 1), date(2025, 3, 31))
    assert set(report) >= MESSAGE_KEYS
    assert report["sent"] == 3 and report["delivered"] == 2
    assert report["open_rate"] == 1.0  # m1 and m3 of 2 delivered
    assert report["click_rate"] == 0.3333
    assert report["response_rate"] == 0.3333
    assert report["conversion_rate"] == 0.3333
    assert report["avg_days_to_payment"] == 4.0
    assert report["invoices_paid_after_reminder"] == 1
    assert report["amount_recovered"] == "1200.00"
    assert report["amount_reminded"] == "2000.00"
    assert report["recovery_rate"] == 0.6
    # Ledger on 31 March: F-2 owes 500, 30 days past due. Countback: March and February have no sales,
    # January 2,000: 31 + 28 + 31 x 500 / 2,000 = 66.75 days.
    assert report["receivables"] == "500.00"
    assert report["ageing"] == {
        "not_due": "0.00",
        "1_30": "500.00",
        "31_60": "0.00",
        "61_90": "0.00",
        "over_90": "0.00",
    }
    assert report["dso"] == 66.75
    assert report["avg_days_late"] == 19.0  # F-1 paid 20 March, due 1 March
    assert report["overdue_by_month"] == [{"date": "2025-03-31", "overdue": "500.00"}]
    assert report["targets"] == {"open_rate": 0.20, "click_rate": 0.03}
    assert any("approximate" in note for note in report["notes"])
    assert "groups" not in report


def test_report_by_stage_and_segment(month):
    by_stage = build_report(month, date(2025, 3, 1), date(2025, 3, 31), by="stage")["groups"]
    assert [g["group"] for g in by_stage] == ["first", "second"]
    first, second = by_stage
    assert set(first) >= MESSAGE_KEYS
    assert (first["sent"], first["delivered"], first["open_rate"], first["click_rate"]) == (2, 1, 1.0, 0.5)
    assert (first["conversion_rate"], first["amount_recovered"], first["recovery_rate"]) == (0.0, "0.00", 0.0)
    assert (second["sent"], second["response_rate"], second["conversion_rate"]) == (1, 1.0, 1.0)
    assert (second["amount_recovered"], second["recovery_rate"], second["avg_days_to_payment"]) == (
        "1200.00",
        1.0,
        4.0,
    )
    by_segment = build_report(month, date(2025, 3, 1), date(2025, 3, 31), by="segment")["groups"]
    assert [(g["group"], g["sent"], g["delivered"]) for g in by_segment] == [("key", 1, 0), ("smb", 2, 2)]
    assert by_segment[0]["open_rate"] is None  # no delivered message: no rate
    by_month = build_report(month, date(2025, 3, 1), date(2025, 3, 31), by="month")["groups"]
    assert [(g["group"], g["sent"]) for g in by_month] == [("2025-03", 3)]


def test_report_period_filters_messages(month):
    report = build_report(month, date(2025, 3, 10), date(2025, 3, 31))
    assert report["sent"] == 1 and report["conversion_rate"] == 1.0
    empty = build_report(month, date(2025, 5, 1), date(2025, 5, 31))
    assert empty["sent"] == 0
    assert empty["open_rate"] is empty["click_rate"] is empty["conversion_rate"] is None


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_command_json(month):
    data = json.loads(run("--from", "2025-03-01", "--to", "2025-03-31", "--json", "--by", "variant"))
    assert MESSAGE_KEYS | {"dso", "avg_days_late", "ageing", "targets", "groups"} <= set(data)
    assert data["groups"][0]["group"] == "" and data["groups"][0]["sent"] == 3


def test_command_csv(month):
    rows = list(csv.DictReader(io.StringIO(run("--from", "2025-03-01", "--to", "2025-03-31", "--csv"))))
    assert len(rows) == 1
    assert rows[0]["sent"] == "3" and rows[0]["amount_recovered"] == "1200.00" and rows[0]["dso"] == "66.75"
    assert rows[0]["ageing_1_30"] == "500.00"
    grouped = run("--from", "2025-03-01", "--to", "2025-03-31", "--csv", "--by", "template")
    rows = list(csv.DictReader(io.StringIO(grouped)))
    assert [(r["template"], r["sent"], r["click_rate"]) for r in rows] == [
        ("first", "2", "0.5"),
        ("second", "1", "0.0"),
    ]
    empty = list(csv.DictReader(io.StringIO(run("--from", "2025-05-01", "--to", "2025-05-31", "--csv"))))
    assert empty[0]["open_rate"] == ""


def test_command_table_shows_targets(month):
    text = run("--from", "2025-03-01", "--to", "2025-03-31", "--by", "stage")
    assert "Open rate" in text and "> 20%" in text and "> 3%" in text
    assert "approximate" in text and "By stage" in text


def test_command_rejects_bad_dates(month):
    with pytest.raises(SystemExit) as exit_info:
        run("--from", "2025-03-31", "--to", "2025-03-01")
    assert exit_info.value.code == 2
