"""The dashboard: KPI cards with their trend, ageing, overdue balance over time, funnel, next-run preview.

`kpi_ledger` (also used by test_reports) is a small hand-built ledger whose figures are worked out by hand
in its docstring; the SQL aggregates are checked against those figures and against relance.engine.kpi
applied in Python to the same rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from relance.accounts.models import Workspace
from relance.dunning.actions import plan_day
from relance.dunning.impact import next_business_day, next_run
from relance.dunning.models import Run
from relance.engine import kpi
from relance.ledger.models import Invoice
from relance.mail.models import Message, MessageItem
from relance.tracking import dashboard
from relance.tracking.models import Attribution, Event, Reply
from relance.tracking.reports import invoice_facts
from tests import factories as f

pytestmark = pytest.mark.django_db

END = date(2026, 3, 31)  # a Tuesday


def event(message: Message, kind: str) -> Event:
    return Event.objects.create(
        workspace=message.workspace,
        message=message,
        customer=message.customer,
        kind=kind,
        occurred_at=datetime.combine(message.run_date, datetime.min.time(), UTC) + timedelta(hours=12),
        source="test",
    )


def item(message: Message, invoice: Invoice, stage: str, outstanding: str) -> MessageItem:
    return MessageItem.objects.create(
        message=message, invoice=invoice, stage=stage, step_index=1, outstanding=Decimal(outstanding)
    )


def credit(message: Message, payment: Any, days: int) -> Attribution:
    return Attribution.objects.create(payment=payment, message=message, days_after=days)


def reply(message: Message, auto: bool = False) -> Reply:
    return Reply.objects.create(
        workspace=message.workspace,
        message=message,
        customer=message.customer,
        header_message_id=f"<reply-{message.pk}-{auto}@client.example>",
        from_address=message.to,
        received_at=datetime.combine(message.run_date, datetime.min.time(), UTC) + timedelta(days=1),
        auto_reply=auto,
    )


def kpi_ledger(workspace: Workspace, other: Workspace | None = None) -> dict[str, Any]:
    """Invoices (on END = 2026-03-31, days past due in brackets):
        A C1 1000.00 due 01-10, paid 400 on 02-01 and 600 on 03-20     -> settled 03-20
        B C1  500.00 due 03-01 (30)                                     -> 1_30: 500
        C C2 2000.00 due 04-15, 500 paid on 03-25                      -> not_due: 1500
        D C2 3000.00 due 2025-11-15 (136), 1000 paid on 01-05          -> over_90: 2000
        E C3  800.00 void                                              -> never counts
        F C3  750.00 due 02-15, paid 750 on 03-05                      -> settled 03-05
        G C1  900.00 issued 04-05 (after END)                          -> not yet issued
        H C3  300.00 due 2025-12-31 (90)                               -> 61_90: 300
        I C2 1200.00 due 02-10 (49)                                    -> 31_60: 1200
    Receivables 5500.00, overdue 4000.00.

    Sent messages run in March: m1 (C1 03-02, second, items A 600 + B 500, opened + clicked, credited
    with A's 600 payment 18 days after), m2 (C2 03-10, first, template first_short, variant B, item I 1200,
    opened but bounced, a reply from a person), m3 (C3 03-03, first, variant A, item F 750, an auto-reply,
    credited with F's payment 2 days after), m4 (C3 03-20, final, item H 300, a "replied" event).
    Not counted: m5 (C1 03-25, still queued, opened), m6 (C2 02-10, before March: sent, item D 3000).
    So for March: sent 4, delivered 3, opened 1, clicked 1, replied 2, converted 2, recovered 1350.00,
    avg days to payment 10, invoices paid after a reminder 2 (A, F), amount reminded 3350.00.
    The other workspace gets the same kind of rows, which must never count here."""
    c1 = f.customer(workspace, "C1", segment="smb", name="Alpha SARL")
    c2 = f.customer(workspace, "C2", segment="key", name="Beta SA")
    c3 = f.customer(workspace, "C3", name="Gamma SAS")
    inv = {
        "A": f.invoice(c1, "A", date(2026, 1, 10), "1000.00"),
        "B": f.invoice(c1, "B", date(2026, 3, 1), "500.00"),
        "C": f.invoice(c2, "C", date(2026, 4, 15), "2000.00"),
        "D": f.invoice(c2, "D", date(2025, 11, 15), "3000.00"),
        "E": f.invoice(c3, "E", date(2026, 1, 20), "800.00", status=Invoice.VOID),
        "F": f.invoice(c3, "F", date(2026, 2, 15), "750.00"),
        "G": f.invoice(c1, "G", date(2026, 5, 5), "900.00"),
        "H": f.invoice(c3, "H", date(2025, 12, 31), "300.00"),
        "I": f.invoice(c2, "I", date(2026, 2, 10), "1200.00"),
    }
    f.pay(inv["A"], date(2026, 2, 1), "400.00")
    paid_a = f.pay(inv["A"], date(2026, 3, 20), "600.00")
    f.pay(inv["C"], date(2026, 3, 25), "500.00")
    f.pay(inv["D"], date(2026, 1, 5), "1000.00")
    paid_f = f.pay(inv["F"], date(2026, 3, 5), "750.00")

    m1 = f.sent_message(c1, "<m1@acme.example>", run_date=date(2026, 3, 2), stage="second")
    item(m1, inv["A"], "second", "600.00")
    item(m1, inv["B"], "first", "500.00")
    event(m1, Event.OPENED)
    event(m1, Event.OPENED)  # twice: still one opened message
    event(m1, Event.CLICKED)
    credit(m1, paid_a, 18)
    m2 = f.sent_message(
        c2, "<m2@acme.example>", run_date=date(2026, 3, 10), template_name="first_short", variant="B"
    )
    item(m2, inv["I"], "first", "1200.00")
    event(m2, Event.OPENED)
    event(m2, Event.BOUNCED)
    reply(m2)
    m3 = f.sent_message(c3, "<m3@acme.example>", run_date=date(2026, 3, 3), variant="A")
    item(m3, inv["F"], "first", "750.00")
    reply(m3, auto=True)
    credit(m3, paid_f, 2)
    m4 = f.sent_message(
        c3, "<m4@acme.example>", run_date=date(2026, 3, 20), stage="final", template_name="final"
    )
    item(m4, inv["H"], "final", "300.00")
    event(m4, Event.REPLIED)
    m5 = f.sent_message(
        c1, "<m5@acme.example>", run_date=date(2026, 3, 25), status=Message.QUEUED, sent_at=None
    )
    event(m5, Event.OPENED)
    m6 = f.sent_message(c2, "<m6@acme.example>", run_date=date(2026, 2, 10))
    item(m6, inv["D"], "first", "3000.00")
    if other is not None:
        x = f.customer(other, "C1", segment="smb")
        big = f.invoice(x, "A", date(2026, 1, 10), "99999.00")
        paid_x = f.pay(big, date(2026, 3, 10), "50000.00")
        mx = f.sent_message(x, "<mx@globex.example>", run_date=date(2026, 3, 5))
        item(mx, big, "first", "99999.00")
        event(mx, Event.OPENED)
        event(mx, Event.CLICKED)
        credit(mx, paid_x, 5)
    return {"invoices": inv, "messages": [m1, m2, m3, m4, m5, m6], "customers": [c1, c2, c3]}


@pytest.fixture
def ledger(workspace: Workspace, other_workspace: Workspace) -> dict[str, Any]:
    return kpi_ledger(workspace, other_workspace)


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """The pages see END as today."""
    monkeypatch.setattr("relance.web.views.dashboard.workspace_today", lambda workspace, now=None: END)
    monkeypatch.setattr("relance.tracking.reports.workspace_today", lambda workspace, now=None: END)
    return END


# --- the aggregates ---------------------------------------------------------------------------------------


def test_message_kpis_match_the_hand_computed_figures(workspace: Workspace, ledger: dict[str, Any]) -> None:
    found = dashboard.message_kpis(workspace, date(2026, 3, 1), END)[""]
    assert (found.sent, found.delivered, found.opened, found.clicked) == (4, 3, 1, 1)
    assert (found.replied, found.converted) == (2, 2)
    assert found.open_rate == pytest.approx(1 / 3)
    assert found.click_rate == pytest.approx(0.25)
    assert found.response_rate == pytest.approx(0.5)
    assert found.conversion_rate == pytest.approx(0.5)
    assert found.amount_recovered == Decimal("1350.00")
    assert found.avg_days_to_payment == pytest.approx(10)
    assert found.invoices_paid_after_reminder == 2
    assert found.amount_reminded == Decimal("3350.00")


def test_ageing_matches_the_hand_computed_buckets_and_the_pure_formula(
    workspace: Workspace, ledger: dict[str, Any]
) -> None:
    at_end = dashboard.ageing(workspace, END)[END]
    expected = {
        "not_due": Decimal("1500.00"),
        "1_30": Decimal("500.00"),
        "31_60": Decimal("1200.00"),
        "61_90": Decimal("300.00"),
        "over_90": Decimal("2000.00"),
    }
    assert at_end.buckets == expected
    assert at_end.receivables == Decimal("5500.00")
    assert at_end.overdue == Decimal("4000.00")
    for day in (date(2026, 1, 31), date(2026, 3, 1), date(2026, 3, 20), END):
        assert dashboard.ageing(workspace, day)[day].buckets == kpi.ageing(invoice_facts(workspace, END), day)


def test_overdue_series_matches_the_pure_formula_on_every_point(
    workspace: Workspace, ledger: dict[str, Any]
) -> None:
    points = [END - timedelta(weeks=k) for k in range(26, -1, -1)] + [date(2026, 3, 19), date(2026, 3, 20)]
    facts = invoice_facts(workspace, END)
    expected = [kpi.overdue_balance(facts, day) for day in points]
    assert dashboard.balance_series(workspace, points) == expected
    receivables = [kpi.receivables(facts, day) for day in points]
    assert dashboard.balance_series(workspace, points, overdue=False) == receivables
    assert dashboard.balance_series(workspace, [END]) == [Decimal("4000.00")]


def test_a_balance_within_the_tolerance_no_longer_counts(workspace: Workspace) -> None:
    workspace.tolerance = Decimal("0.50")
    workspace.save()
    customer = f.customer(workspace, "C1")
    nearly = f.invoice(customer, "N", date(2026, 2, 1), "100.00")
    f.pay(nearly, date(2026, 3, 10), "99.70")  # 0.30 left: settled on 03-10
    f.pay(nearly, date(2026, 3, 25), "0.30")
    late = f.invoice(customer, "L", date(2026, 2, 1), "100.00")
    f.pay(late, date(2026, 3, 12), "99.00")  # 1.00 left: still owed
    points = [date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 12), END]
    assert dashboard.balance_series(workspace, points) == [
        Decimal("200.00"),
        Decimal("100.00"),
        Decimal("1.00"),
        Decimal("1.00"),
    ]
    facts = invoice_facts(workspace, END)
    assert dashboard.balance_series(workspace, points) == [
        kpi.overdue_balance(facts, d, workspace.tolerance) for d in points
    ]
    assert dashboard.ageing(workspace, END)[END].buckets["31_60"] == Decimal("1.00")


def test_trend_arithmetic() -> None:
    up = dashboard.Trend(Decimal("150.00"), Decimal("100.00"))
    assert (up.delta, up.direction, up.better, up.relative) == (Decimal("50.00"), "up", True, 0.5)
    worse = dashboard.Trend(42.5, 40.0, higher_is_better=False)
    assert (worse.delta, worse.direction, worse.better) == (2.5, "up", False)
    better = dashboard.Trend(0.25, 0.5)
    assert (better.direction, better.better, better.relative) == ("down", False, -0.5)
    flat = dashboard.Trend(3, 3)
    assert (flat.delta, flat.direction, flat.better) == (0, "flat", None)
    unknown = dashboard.Trend(None, 0.2)
    assert (unknown.delta, unknown.direction, unknown.better, unknown.relative) == (None, "", None, None)
    assert dashboard.Trend(5, 0).relative is None


def test_trends_compare_the_last_30_days_with_the_30_before(
    workspace: Workspace, ledger: dict[str, Any]
) -> None:
    found = dashboard.trends(workspace, END)
    assert found.periods.current_start == date(2026, 3, 2)
    assert found.periods.previous_end == date(2026, 3, 1)
    sent = found.kpis["sent"]
    # Current: m1 (03-02), m2, m3, m4; previous (01-31 .. 03-01): m6 only. m5 is queued, never counted.
    assert (sent.current, sent.previous, sent.delta, sent.direction) == (4, 1, 3, "up")
    facts = invoice_facts(workspace, END)
    overdue = found.kpis["overdue"]
    assert overdue.current == kpi.overdue_balance(facts, END) == Decimal("4000.00")
    assert overdue.previous == kpi.overdue_balance(facts, date(2026, 3, 1))
    assert overdue.higher_is_better is False
    assert found.kpis["dso"].current == round(kpi.dso(facts, END), 2)  # type: ignore[arg-type]
    assert found.kpis["dso"].previous == round(kpi.dso(facts, date(2026, 3, 1)), 2)  # type: ignore[arg-type]
    assert found.kpis["amount_recovered"].current == Decimal("1350.00")
    assert found.kpis["amount_recovered"].previous == Decimal("0.00")


def test_funnel_counts_each_stage(workspace: Workspace, ledger: dict[str, Any]) -> None:
    stages = dict(dashboard.funnel(workspace, END))
    assert list(stages) == ["first", "second", "final"]
    assert (stages["first"].sent, stages["first"].opened, stages["first"].converted) == (2, 0, 1)
    assert (stages["second"].sent, stages["second"].opened, stages["second"].clicked) == (1, 1, 1)
    assert stages["second"].amount_recovered == Decimal("600.00")
    assert stages["final"].sent == 1


def test_the_kpis_take_a_bounded_number_of_queries(
    workspace: Workspace, ledger: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        dashboard.trends(workspace, END)
    with django_assert_max_num_queries(1):
        dashboard.weekly_overdue(workspace, END)
    with django_assert_max_num_queries(4):
        dashboard.funnel(workspace, END)


# --- the pages ------------------------------------------------------------------------------------------


def test_the_dashboard_frame_loads_its_sections_lazily(viewer_client: Client, ledger: dict[str, Any]) -> None:
    response = viewer_client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("dashboard_kpis", "dashboard_overdue", "dashboard_funnel", "dashboard_next_run"):
        assert f'hx-get="{reverse("web:" + name)}"' in body
    assert 'hx-trigger="load"' in body


def test_the_kpi_cards_show_values_trends_and_targets(
    viewer_client: Client, ledger: dict[str, Any], fixed_today: date
) -> None:
    response = viewer_client.get(reverse("web:dashboard_kpis"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body  # a fragment
    assert 'data-kpi="sent"' in body and "▲ +3" in body and "(better)" in body
    assert "target &gt; 20%" in body and "target &gt; 3%" in body
    assert "€4,000.00" in body  # overdue balance
    assert "€1,200.00" in body  # the 31-60 bucket
    assert "99,999" not in body and "50,000" not in body  # the other workspace
    assert "privacy proxies" in body


def test_each_section_opens_as_a_page_without_javascript(
    viewer_client: Client, ledger: dict[str, Any], fixed_today: date
) -> None:
    for name in ("dashboard_kpis", "dashboard_overdue", "dashboard_funnel", "dashboard_next_run"):
        response = viewer_client.get(reverse(f"web:{name}"))
        assert response.status_code == 200
        assert "<html" in response.content.decode()


def test_the_overdue_chart_carries_its_data_as_json(
    viewer_client: Client, ledger: dict[str, Any], fixed_today: date
) -> None:
    response = viewer_client.get(reverse("web:dashboard_overdue"), headers={"HX-Request": "true"})
    chart = response.context["overdue_chart"]
    assert chart["type"] == "line" and len(chart["labels"]) == 27
    assert chart["datasets"][0]["data"][-1] == 4000.0
    assert '<script id="overdue-chart" type="application/json">' in response.content.decode()


def test_the_funnel_section_lists_the_stages(
    viewer_client: Client, ledger: dict[str, Any], fixed_today: date
) -> None:
    body = viewer_client.get(reverse("web:dashboard_funnel"), headers={"HX-Request": "true"}).content.decode()
    assert 'data-stage="first"' in body and 'data-stage="final"' in body


def test_the_next_run_preview_plans_the_next_business_day_and_writes_nothing(
    workspace: Workspace, viewer_client: Client, fixed_today: date
) -> None:
    f.policy(workspace, business_days_only=True)
    for n in range(25):
        customer = f.customer(workspace, f"K{n:02d}", name=f"Client {n:02d}", email=f"ap{n}@k.example")
        f.invoice(customer, f"K-{n}", END - timedelta(days=5), f"{100 + n}.00")
    before = (Message.objects.count(), MessageItem.objects.count(), Run.objects.count())
    response = viewer_client.get(reverse("web:dashboard_next_run"), headers={"HX-Request": "true"})
    assert (Message.objects.count(), MessageItem.objects.count(), Run.objects.count()) == before
    preview = response.context["preview"]
    assert preview.day == next_business_day(workspace, END) == date(2026, 4, 1)
    assert preview.count == len(plan_day(workspace, date(2026, 4, 1))) == 25
    assert len(preview.rows) == 20
    assert preview.rows[0].customer_name == "Client 24" and preview.rows[0].amount == Decimal("124.00")
    assert preview.totals == {"EUR": sum((Decimal(f"{100 + n}.00") for n in range(25)), Decimal(0))}
    body = response.content.decode()
    assert "ap24@k.example" in body and reverse("web:approvals") in body


def test_the_next_run_after_a_friday_is_the_monday(workspace: Workspace) -> None:
    assert next_business_day(workspace, date(2026, 3, 27)) == date(2026, 3, 30)
    assert next_business_day(workspace, date(2026, 4, 3)) == date(2026, 4, 7)  # Easter Monday in France
    assert next_run(workspace, date(2026, 3, 27)).count == 0


def test_another_workspace_sees_none_of_these_figures(
    other_workspace: Workspace, ledger: dict[str, Any]
) -> None:
    found = dashboard.message_kpis(other_workspace, date(2026, 3, 1), END)[""]
    assert (found.sent, found.opened, found.clicked, found.amount_recovered) == (1, 1, 1, Decimal("50000.00"))
    assert dashboard.ageing(other_workspace, END)[END].receivables == Decimal("49999.00")


def test_the_dashboard_needs_a_login(workspace: Workspace) -> None:
    response = Client().get(reverse("web:dashboard_kpis"))
    assert response.status_code == 302
