"""The queries that feed relance.engine.kpi, and the report they make (plain JSON-ready values).

Period: the messages whose run date is in [start, end]; their attributed payments count whenever they came
(a recent message's conversions are still maturing: up to workspace.attribution_days after it). The ledger
KPIs are taken as of `end`: DSO, ageing and receivables on that day, average days late of the invoices fully
paid in [start, end], overdue balance at each month end of the period. Amounts are summed as they are: a
workspace invoicing in several currencies gets mixed sums (the report lists the currencies it saw).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from relance.accounts.models import Workspace
from relance.engine import kpi
from relance.ledger.models import Invoice, Payment
from relance.ledger.queries import chunks, workspace_today
from relance.mail.models import Message, MessageItem
from relance.tracking.models import Attribution, Event, Reply

GROUPINGS = ("stage", "template", "variant", "segment", "month")
OPENS_NOTE = (
    "Opens are approximate: privacy proxies (e.g. Apple Mail Privacy Protection) pre-fetch the tracking "
    "image and image-blocking clients never load it."
)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class MessageRow:
    outcome: kpi.MessageOutcome
    run_date: date
    stage: str
    template: str
    variant: str
    segment: str

    def key(self, by: str) -> str:
        if by == "month":
            return f"{self.run_date:%Y-%m}"
        return str(getattr(self, by))


def default_period(workspace: Workspace, start: date | None, end: date | None) -> tuple[date, date]:
    """Default end: today in the workspace; default start: three months before the end (end excluded)."""
    end = end or workspace_today(workspace)
    return start or kpi.shift_months(end, -3) + timedelta(days=1), end


def message_rows(workspace: Workspace, start: date, end: date) -> list[MessageRow]:
    messages = list(
        Message.objects.filter(
            workspace=workspace, status=Message.SENT, run_date__gte=start, run_date__lte=end
        ).values_list("id", "run_date", "stage", "template_name", "variant", "customer__segment")
    )
    ids = [row[0] for row in messages]
    kinds: dict[int, set[str]] = defaultdict(set)
    converted: set[int] = set()
    for batch in chunks(ids):
        wanted = [Event.BOUNCED, Event.OPENED, Event.CLICKED, Event.REPLIED]
        events = Event.objects.filter(message_id__in=batch, kind__in=wanted).values_list("message_id", "kind")
        for message_id, kind in events.distinct():
            kinds[message_id].add(kind)
        replies = Reply.objects.filter(message_id__in=batch, auto_reply=False).values_list(
            "message_id", flat=True
        )
        for message_id in replies:
            if message_id is not None:
                kinds[message_id].add(Event.REPLIED)
        converted.update(
            Attribution.objects.filter(message_id__in=batch).values_list("message_id", flat=True)
        )
    rows = []
    for message_id, run_date, stage, template, variant, segment in messages:
        seen = kinds.get(message_id, set())
        outcome = kpi.MessageOutcome(
            message_id,
            bounced=Event.BOUNCED in seen,
            opened=Event.OPENED in seen,
            clicked=Event.CLICKED in seen,
            replied=Event.REPLIED in seen,
            converted=message_id in converted,
        )
        rows.append(MessageRow(outcome, run_date, stage, template, variant, segment))
    return rows


def attributed_payments(workspace: Workspace, message_ids: Sequence[int]) -> list[kpi.AttributedPayment]:
    found = []
    for batch in chunks(message_ids):
        found += list(
            Attribution.objects.filter(message_id__in=batch).values_list(
                "message_id", "payment__invoice_id", "payment__amount", "days_after"
            )
        )
    paid = fully_paid(workspace, {invoice_id for _, invoice_id, _, _ in found})
    return [
        kpi.AttributedPayment(message_id, invoice_id, amount, days, invoice_id in paid)
        for message_id, invoice_id, amount, days in found
    ]


def fully_paid(workspace: Workspace, invoice_ids: set[int]) -> set[int]:
    """The invoices whose payments (all of them, to date) leave at most the workspace tolerance owed."""
    paid: set[int] = set()
    for batch in chunks(sorted(invoice_ids)):
        rows = Invoice.objects.filter(pk__in=batch).annotate(paid=Sum("payments__amount"))
        for invoice_id, amount, total in rows.values_list("id", "amount", "paid"):
            if amount - (total or 0) <= workspace.tolerance:
                paid.add(invoice_id)
    return paid


def reminded_items(message_ids: Sequence[int]) -> list[tuple[int, int, Decimal]]:
    """(message id, invoice id, outstanding when that message carried it)."""
    found: list[tuple[int, int, Decimal]] = []
    for batch in chunks(message_ids):
        found += list(
            MessageItem.objects.filter(message_id__in=batch).values_list(
                "message_id", "invoice_id", "outstanding"
            )
        )
    return found


def reminded_amounts(items: Sequence[tuple[int, int, Decimal]], message_ids: set[int]) -> dict[int, Decimal]:
    """Invoice id -> outstanding when first reminded by these messages (the largest amount carried)."""
    amounts: dict[int, Decimal] = {}
    for message_id, invoice_id, amount in items:
        if message_id in message_ids:
            amounts[invoice_id] = max(amounts.get(invoice_id, kpi.ZERO), amount)
    return amounts


def invoice_facts(workspace: Workspace, end: date) -> list[kpi.InvoiceFacts]:
    """Every non-void invoice issued on or before `end`, with its payments dated on or before `end`."""
    invoices = Invoice.objects.filter(workspace=workspace, issue_date__lte=end).exclude(status=Invoice.VOID)
    payments: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    rows = Payment.objects.filter(workspace=workspace, date__lte=end, invoice__in=invoices)
    for invoice_id, day, amount in rows.values_list("invoice_id", "date", "amount"):
        payments[invoice_id].append((day, amount))
    return [
        kpi.InvoiceFacts(issue, due, amount, tuple(payments.get(pk, ())))
        for pk, issue, due, amount in invoices.values_list("id", "issue_date", "due_date", "amount")
    ]


# --- formatting ----------------------------------------------------------------------------------------


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def days(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def message_json(kpis: kpi.MessageKpis) -> dict[str, Any]:
    return {
        "sent": kpis.sent,
        "delivered": kpis.delivered,
        "open_rate": rate(kpis.open_rate),
        "click_rate": rate(kpis.click_rate),
        "response_rate": rate(kpis.response_rate),
        "conversion_rate": rate(kpis.conversion_rate),
        "avg_days_to_payment": days(kpis.avg_days_to_payment),
        "invoices_paid_after_reminder": kpis.invoices_paid_after_reminder,
        "amount_recovered": money(kpis.amount_recovered),
        "recovery_rate": rate(kpis.recovery_rate),
    }


def _kpis_of(
    rows: Sequence[MessageRow],
    payments: Sequence[kpi.AttributedPayment],
    items: Sequence[tuple[int, int, Decimal]],
) -> kpi.MessageKpis:
    ids = {row.outcome.message_id for row in rows}
    return kpi.message_kpis(
        [row.outcome for row in rows],
        [p for p in payments if p.message_id in ids],
        reminded_amounts(items, ids),
    )


def build_report(
    workspace: Workspace, start: date | None = None, end: date | None = None, by: str | None = None
) -> dict[str, Any]:
    start, end = default_period(workspace, start, end)
    rows = message_rows(workspace, start, end)
    ids = [row.outcome.message_id for row in rows]
    payments = attributed_payments(workspace, ids)
    items = reminded_items(ids)
    overall = _kpis_of(rows, payments, items)
    invoices = invoice_facts(workspace, end)
    tolerance = workspace.tolerance
    report: dict[str, Any] = {
        "workspace": workspace.slug,
        "from": start.isoformat(),
        "to": end.isoformat(),
        **message_json(overall),
        "amount_reminded": money(overall.amount_reminded),
        "dso": days(kpi.dso(invoices, end, tolerance)),
        "avg_days_late": days(kpi.avg_days_late(invoices, start, end, tolerance)),
        "receivables": money(kpi.receivables(invoices, end, tolerance)),
        "ageing": {name: money(value) for name, value in kpi.ageing(invoices, end, tolerance).items()},
        "overdue_by_month": [
            {"date": day.isoformat(), "overdue": money(value)}
            for day, value in kpi.overdue_by_month(invoices, start, end, tolerance)
        ],
        "targets": dict(kpi.TARGETS),
        "currencies": sorted(
            set(Invoice.objects.filter(workspace=workspace).values_list("currency", flat=True).distinct())
        ),
        "notes": [OPENS_NOTE],
    }
    if by:
        report["by"] = by
        report["groups"] = group_rows(rows, payments, items, by)
    return report


def group_rows(
    rows: Sequence[MessageRow],
    payments: Sequence[kpi.AttributedPayment],
    items: Sequence[tuple[int, int, Decimal]],
    by: str,
) -> list[dict[str, Any]]:
    groups: dict[str, list[MessageRow]] = defaultdict(list)
    for row in rows:
        groups[row.key(by)].append(row)
    return [{"group": key, **message_json(_kpis_of(groups[key], payments, items))} for key in sorted(groups)]


CSV_COLUMNS = (
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
)


def csv_rows(report: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """One row per group, or one row overall (with the ledger KPIs) when the report has no groups."""
    if "groups" in report:
        return [report["by"], *CSV_COLUMNS], [
            {report["by"]: group["group"], **{c: group[c] for c in CSV_COLUMNS}} for group in report["groups"]
        ]
    ledger = ["dso", "avg_days_late", "receivables", *(f"ageing_{name}" for name in kpi.BUCKETS)]
    row = {"from": report["from"], "to": report["to"], **{c: report[c] for c in CSV_COLUMNS}}
    row.update({c: report[c] for c in ledger[:3]})
    row.update({f"ageing_{name}": report["ageing"][name] for name in kpi.BUCKETS})
    return ["from", "to", *CSV_COLUMNS, *ledger], [row]


def human_lines(report: dict[str, Any]) -> list[str]:
    def show(value: Any, kind: str = "") -> str:
        if value is None:
            return "n/a"
        if kind == "rate":
            return f"{value * 100:.1f}%"
        return str(value)

    targets = report["targets"]
    lines = [f"Relance report {report['workspace']}: messages run {report['from']} .. {report['to']}", ""]
    table = [
        ("Messages sent", show(report["sent"]), ""),
        ("Delivered", show(report["delivered"]), ""),
        ("Open rate (of delivered)*", show(report["open_rate"], "rate"), f"> {targets['open_rate']:.0%}"),
        ("Click rate (of sent)", show(report["click_rate"], "rate"), f"> {targets['click_rate']:.0%}"),
        ("Response rate", show(report["response_rate"], "rate"), ""),
        ("Conversion rate", show(report["conversion_rate"], "rate"), ""),
        ("Avg days to payment", show(report["avg_days_to_payment"]), ""),
        ("Invoices paid after reminder", show(report["invoices_paid_after_reminder"]), ""),
        ("Amount recovered", show(report["amount_recovered"]), ""),
        ("Recovery rate", show(report["recovery_rate"], "rate"), ""),
        (f"DSO (countback) at {report['to']}", show(report["dso"]), ""),
        ("Avg days late (paid in period)", show(report["avg_days_late"]), ""),
        (f"Receivables at {report['to']}", show(report["receivables"]), ""),
    ]
    width = max(len(label) for label, _, _ in table)
    lines.append(f"{'KPI'.ljust(width)}  {'value':>12}  target")
    for label, value, target in table:
        lines.append(f"{label.ljust(width)}  {value:>12}  {target}".rstrip())
    lines += ["", f"Ageing at {report['to']}:"]
    lines += [f"  {name.ljust(8)} {value:>14}" for name, value in report["ageing"].items()]
    if report.get("groups"):
        lines += ["", f"By {report['by']}:"]
        header = ("group", "sent", "deliv.", "open", "click", "reply", "conv.", "days", "recovered")
        lines.append("  " + "  ".join(h.rjust(10) for h in header))
        for group in report["groups"]:
            cells = (
                group["group"] or "-",
                show(group["sent"]),
                show(group["delivered"]),
                show(group["open_rate"], "rate"),
                show(group["click_rate"], "rate"),
                show(group["response_rate"], "rate"),
                show(group["conversion_rate"], "rate"),
                show(group["avg_days_to_payment"]),
                show(group["amount_recovered"]),
            )
            lines.append("  " + "  ".join(str(c)[:10].rjust(10) for c in cells))
    lines += ["", f"* {OPENS_NOTE}"]
    if len(report["currencies"]) > 1:
        lines.append(f"Amounts mix currencies: {', '.join(report['currencies'])}.")
    return lines
