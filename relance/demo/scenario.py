"""The demo's 90 days: import, load policies, then each day payments arrive and the daily run goes out."""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db.models import Min, Sum

from relance.accounts.models import Workspace
from relance.demo.behaviour import PaymentBook
from relance.demo.engagement import Engagement, dead_address_bounce
from relance.demo.ledger import build_customers, build_invoices, customers_csv, invoices_csv, write_csv
from relance.mail.models import Message, MessageItem
from relance.mail.sink import MailSink

POLICIES = Path(__file__).resolve().parent / "policies"
PAYMENT_HEADER = ["invoice_number", "date", "amount", "reference"]


@dataclass
class Summary:
    folder: Path
    mail_folder: Path
    first_day: date
    last_day: date
    customers: int = 0
    invoices: int = 0
    sent_by_stage: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    paid_after_reminder: int = 0
    recovered: dict[str, Decimal] = field(default_factory=dict)
    eml_files: int = 0
    engagement: dict[str, int] = field(default_factory=dict)
    kpis: dict[str, Any] = field(default_factory=dict)
    experiment: dict[str, Any] = field(default_factory=dict)
    bounced: str = ""
    tasks: int = 0
    approvals: int = 0
    holds: list[str] = field(default_factory=list)

    def render(self, seconds: float) -> str:
        stages = "\n".join(f"    {stage:<10} {count}" for stage, count in sorted(self.sent_by_stage.items()))
        money = ", ".join(f"{amount:,.2f} {currency}" for currency, amount in sorted(self.recovered.items()))
        lines = [
            "",
            f"Relance demo: {self.first_day} to {self.last_day}, "
            f"{self.customers} customers, {self.invoices} invoices",
            "  messages sent, by stage:",
            stages,
            f"  outbox: {dict(sorted(self.statuses.items()))}",
            f"  final notices approved by a person before leaving: {self.approvals}",
            *(f"  {hold}" for hold in self.holds),
            f"  invoices paid after a reminder: {self.paid_after_reminder}",
            f"  amount recovered after a reminder: {money or '0'}",
            f"  cases handed to a person (tasks): {self.tasks}",
            f"  simulated customers: {self.engagement.get('opened', 0)} opens, "
            f"{self.engagement.get('clicked', 0)} clicks, {self.engagement.get('replied', 0)} replies "
            f"(each reply paused the customer until a person resumed it); {self.bounced}",
            *self._kpi_lines(),
            f"  {self.eml_files} e-mails caught by the local SMTP sink in {self.mail_folder}",
            f"  database: {self.folder / 'demo.sqlite3'}   (browse it: DATABASE_URL=sqlite:///"
            f"{self.folder / 'demo.sqlite3'} relance serve)",
            f"  done in {seconds:.1f} s",
        ]
        return "\n".join(lines)

    def _kpi_lines(self) -> list[str]:
        k = self.kpis
        if not k:
            return []

        def pct(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.1%}"

        targets = k.get("targets", {})
        lines = [
            "  KPIs (relance report):",
            f"    open rate {pct(k['open_rate'])} (target > {pct(targets.get('open_rate'))}), click rate "
            f"{pct(k['click_rate'])} (target > {pct(targets.get('click_rate'))}), response rate "
            f"{pct(k['response_rate'])}, conversion rate {pct(k['conversion_rate'])}",
            f"    average days to payment after a reminder {k['avg_days_to_payment']}, "
            f"DSO {k['dso']} days, ageing {k['ageing']}",
        ]
        exp = self.experiment
        if exp:
            arms = ", ".join(
                f"{v['name']} ({v['template']}): {v['sent']} sent, {v['paid']} paid" for v in exp["variants"]
            )
            lines.append(f"  A/B test {exp['name']!r} on {exp['stage']}: {arms}; {exp['verdict']}")
        return lines


def quiet(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def run_demo(folder: Path, start: date, days: int, seed: int = 20260901) -> Summary:
    rng = random.Random(seed)
    mail_folder = folder / "mail"
    summary = Summary(folder, mail_folder, start, start + timedelta(days=days - 1))
    quiet("init", "--name", "Acme SAS")
    workspace = _describe_company()
    customers = build_customers(rng)
    invoices = build_invoices(rng, customers, start)
    summary.customers, summary.invoices = len(customers), len(invoices)
    quiet("import", "customers", str(customers_csv(folder / "customers.csv", customers)))
    quiet("import", "invoices", str(invoices_csv(folder / "invoices.csv", invoices)))
    for policy in sorted(POLICIES.glob("*.yaml")):
        quiet("policy", "load", str(policy))
    book = PaymentBook.create(rng, customers, invoices)
    engagement = Engagement(rng, {c.customer_id: c.habit for c in customers})
    quiet(
        "experiments",
        "add",
        "first-short-or-standard",
        "--stage",
        "first",
        "--variant",
        "standard:first:0",
        "--variant",
        "short:first_short:0",
        "--min-sample",
        "30",
    )
    history = book.history_before(start)
    if history:
        rows = [[number, day.isoformat(), f"{amount:.2f}", ref] for day, number, amount, ref in history]
        quiet("import", "payments", str(write_csv(folder / "payments" / "opening.csv", PAYMENT_HEADER, rows)))
    overdue = sorted((i for i in invoices if i.due_date < start - timedelta(days=10)), key=lambda i: i.number)
    disputed, promised = overdue[0], overdue[1]

    with MailSink(mail_folder) as sink:
        settings.EMAIL_URL = sink.url
        day = start
        while day <= summary.last_day:
            if day == start + timedelta(days=2):
                quiet(
                    "hold",
                    disputed.number,
                    "--from",
                    day.isoformat(),
                    "--until",
                    (day + timedelta(days=30)).isoformat(),
                    "--reason",
                    "dispute",
                    "--note",
                    "The customer contests the delivered quantity",
                )
                summary.holds.append(f"disputed invoice {disputed.number}: on hold 30 days from {day}")
            if day == start + timedelta(days=6):
                until = day + timedelta(days=14)
                quiet(
                    "hold",
                    promised.number,
                    "--from",
                    day.isoformat(),
                    "--until",
                    until.isoformat(),
                    "--reason",
                    "promise",
                    "--note",
                    "Promised on the phone to pay before the 20th",
                )
                book.schedule(promised.number, until - timedelta(days=1))
                summary.holds.append(f"promise to pay for {promised.number}: held until {until}, then paid")
            engagement.resume(workspace, day)
            _import_payments(folder, book, day)
            summary.approvals += _approve_waiting(day)
            quiet("run", "--as-of", day.isoformat())
            for message in Message.objects.filter(run_date=day, status=Message.SENT).prefetch_related(
                "items__invoice"
            ):
                numbers = [item.invoice.number for item in message.items.all()]
                clicked = engagement.react(workspace, message, day)
                book.react(message.customer.external_id, message.stage, numbers, day, clicked)
            if day == start + timedelta(days=12):
                summary.bounced = _bounce_one(day)
            day += timedelta(days=1)
        summary.eml_files = sink.count
    summary.engagement = dict(engagement.counts)
    _summarise(summary)
    summary.kpis = json.loads(
        quiet("report", "--from", start.isoformat(), "--to", summary.last_day.isoformat(), "--json")
    )
    summary.experiment = json.loads(quiet("experiments", "--json"))[0]
    return summary


def _bounce_one(day: date) -> str:
    """One customer's billing address has been closed: the receiving server sends back a DSN."""
    from relance.tracking.bounces import do_record_bounce

    message = Message.objects.filter(status=Message.SENT, stage="first").order_by("-pk").first()
    if message is None:
        return "no bounce"
    moment = datetime.combine(day, time(11, 0), tzinfo=UTC)
    do_record_bounce(dead_address_bounce(message, moment), moment, "demo")
    return f"{message.to} hard-bounced: address marked undeliverable, a task opened"


def _describe_company() -> Workspace:
    Workspace.objects.filter(slug="default").update(
        name="Acme SAS",
        legal_name="Acme SAS",
        sender_title="Comptabilité clients",
        sender_phone="+33 1 84 60 12 34",
        company_address="12 rue des Artisans, 69002 Lyon, France",
        company_registration="SIREN 812 345 678 · TVA FR12812345678",
        legal_mentions="Acme SAS, capital de 50 000 €, RCS Lyon 812 345 678.",
        payment_page_url="https://pay.acme.example/",
    )
    return Workspace.objects.get(slug="default")


def _import_payments(folder: Path, book: PaymentBook, day: date) -> None:
    rows = [[number, day.isoformat(), f"{amount:.2f}", ref] for number, amount, ref in book.take(day)]
    if rows:
        path = write_csv(folder / "payments" / f"{day.isoformat()}.csv", PAYMENT_HEADER, rows)
        quiet("import", "payments", str(path))


def _approve_waiting(day: date) -> int:
    """A person looks at the approval queue each morning and approves what waited since yesterday."""
    waiting = Message.objects.filter(status=Message.AWAITING_APPROVAL, run_date__lt=day)
    count = 0
    for message_id in waiting.values_list("pk", flat=True):
        quiet("approve", str(message_id))
        count += 1
    return count


def _summarise(summary: Summary) -> None:
    from relance.dunning.models import Task
    from relance.ledger.models import Payment

    summary.sent_by_stage = Counter(
        Message.objects.filter(status=Message.SENT).values_list("stage", flat=True)
    )
    summary.statuses = Counter(Message.objects.values_list("status", flat=True))
    first_reminder = dict(
        MessageItem.objects.filter(message__status=Message.SENT)
        .values("invoice_id")
        .annotate(first=Min("message__run_date"))
        .values_list("invoice_id", "first")
    )
    recovered: dict[str, Decimal] = {}
    paid_after = set()
    for invoice_id, currency, amount, paid_on in Payment.objects.filter(
        invoice_id__in=list(first_reminder)
    ).values_list("invoice_id", "invoice__currency", "amount", "date"):
        if paid_on > first_reminder[invoice_id]:
            recovered[currency] = recovered.get(currency, Decimal("0")) + amount
            paid_after.add(invoice_id)
    fully_paid = {
        invoice_id
        for invoice_id, total, amount in Payment.objects.filter(invoice_id__in=paid_after)
        .values("invoice_id")
        .annotate(total=Sum("amount"))
        .values_list("invoice_id", "total", "invoice__amount")
        if total >= amount
    }
    summary.paid_after_reminder = len(fully_paid)
    summary.recovered = recovered
    summary.tasks = Task.objects.count()
