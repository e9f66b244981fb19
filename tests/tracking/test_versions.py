"""Data versions (relance.tracking.versions): the database's triggers change a workspace's token of a kind of
data in the same transaction as any write of that kind, and only then; memoized figures follow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from relance.accounts.models import Workspace
from relance.ledger.models import Customer, Invoice, Payment
from relance.mail.models import Message, MessageItem
from relance.tracking import versions
from relance.tracking.models import Attribution, DataVersion, Event, Reply
from relance.tracking.versions import ENGAGEMENT, LEDGER, OUTBOX, SENT, memoize, tokens
from tests import factories as f

pytestmark = pytest.mark.django_db

KINDS = (LEDGER, OUTBOX, SENT, ENGAGEMENT)


@pytest.fixture
def other_workspace(db: None) -> Workspace:
    return Workspace.objects.create(slug="globex", name="Globex", sender="Hank <hank@globex.example>")


@pytest.fixture
def rows(workspace: Workspace) -> dict[str, Any]:
    customer = f.customer(workspace, "C1")
    invoice = f.invoice(customer, "F-1", date(2026, 2, 1), "100.00")
    queued = f.sent_message(customer, "<q@acme.example>", status=Message.QUEUED, sent_at=None)
    sent = f.sent_message(customer, "<s@acme.example>", run_date=date(2026, 3, 3))
    return {"customer": customer, "invoice": invoice, "queued": queued, "sent": sent}


def changed(workspace: Workspace, write: Callable[[], Any]) -> set[str]:
    """The kinds whose token `write` changed."""
    before = tokens(workspace)
    write()
    after = tokens(workspace)
    return {kind for kind in KINDS if before[kind] != after[kind]}


def test_every_trigger_is_installed() -> None:
    assert versions.missing_triggers() == []


WRITES: list[tuple[str, Callable[[Workspace, dict[str, Any]], Any], set[str]]] = [
    ("workspace saved", lambda ws, r: ws.save(), {LEDGER}),
    ("invoice created", lambda ws, r: f.invoice(r["customer"], "F-2", date(2026, 2, 1)), {LEDGER}),
    (
        "invoice voided",
        lambda ws, r: Invoice.objects.filter(pk=r["invoice"].pk).update(status="void"),
        {LEDGER},
    ),
    ("payment", lambda ws, r: f.pay(r["invoice"], date(2026, 2, 5), "10.00"), {LEDGER}),
    ("payments in bulk", lambda ws, r: Payment.objects.bulk_create(_payments(ws, r["invoice"], 3)), {LEDGER}),
    (
        "customer paused",
        lambda ws, r: Customer.objects.filter(pk=r["customer"].pk).update(paused=True),
        {OUTBOX},
    ),
    ("hold", lambda ws, r: f.hold(r["invoice"], date(2026, 3, 1), date(2026, 3, 9)), {OUTBOX}),
    ("policy", lambda ws, r: f.policy(ws), {OUTBOX}),
    ("message queued", lambda ws, r: _message(r, Message.QUEUED), {OUTBOX}),
    ("message inserted as sent", lambda ws, r: _message(r, Message.SENT), {OUTBOX, SENT}),
    ("message sent", lambda ws, r: _status(r["queued"], Message.SENT), {SENT}),
    ("message cancelled", lambda ws, r: _status(r["queued"], Message.CANCELLED), {OUTBOX}),
    ("message sending", lambda ws, r: _status(r["queued"], Message.SENDING), set()),
    ("message leased", lambda ws, r: Message.objects.filter(pk=r["sent"].pk).update(lease="abc"), set()),
    ("sent message regrouped", lambda ws, r: _update(r["sent"], variant="B"), {SENT}),
    ("message deleted", lambda ws, r: Message.objects.filter(pk=r["queued"].pk).delete(), {OUTBOX}),
    ("item", lambda ws, r: _item(r), {OUTBOX}),
    ("event", lambda ws, r: _event(ws, r["sent"]), {ENGAGEMENT}),
    ("reply", lambda ws, r: _reply(ws, r["sent"]), {ENGAGEMENT}),
    ("attribution", lambda ws, r: _attribution(r), {ENGAGEMENT, LEDGER}),
]


def _void(invoice: Invoice) -> int:
    return Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.VOID)


def _pause(customer: Customer) -> int:
    return Customer.objects.filter(pk=customer.pk).update(paused=True)


def _payments(workspace: Workspace, invoice: Invoice, n: int) -> list[Payment]:
    return [
        Payment(workspace=workspace, invoice=invoice, date=date(2026, 2, 5), amount="1.00", reference=f"B{k}")
        for k in range(n)
    ]


def _message(rows: dict[str, Any], status: str) -> Message:
    return f.sent_message(
        rows["customer"], f"<{status}@acme.example>", run_date=date(2026, 3, 9), status=status
    )


def _status(message: Message, status: str) -> int:
    return Message.objects.filter(pk=message.pk).update(status=status)


def _update(message: Message, **values: Any) -> int:
    return Message.objects.filter(pk=message.pk).update(**values)


def _item(rows: dict[str, Any]) -> MessageItem:
    return MessageItem.objects.create(
        message=rows["sent"], invoice=rows["invoice"], stage="first", step_index=1, outstanding=Decimal("1")
    )


def _event(workspace: Workspace, message: Message) -> Event:
    return Event.objects.create(
        workspace=workspace, message=message, kind=Event.OPENED, occurred_at=datetime.now(UTC), source="test"
    )


def _reply(workspace: Workspace, message: Message) -> Reply:
    return Reply.objects.create(
        workspace=workspace,
        message=message,
        header_message_id="<r@client.example>",
        from_address="ap@client.example",
        received_at=datetime.now(UTC),
    )


def _attribution(rows: dict[str, Any]) -> Attribution:
    # The payment is a ledger write of its own; the attribution adds the engagement one.
    payment = f.pay(rows["invoice"], date(2026, 3, 5), "10.00")
    return Attribution.objects.create(payment=payment, message=rows["sent"], days_after=2)


@pytest.mark.parametrize(("name", "write", "kinds"), WRITES, ids=[w[0] for w in WRITES])
def test_a_write_changes_the_versions_of_its_kind_only(
    workspace: Workspace,
    rows: dict[str, Any],
    name: str,
    write: Callable[[Workspace, dict[str, Any]], Any],
    kinds: set[str],
) -> None:
    assert changed(workspace, lambda: write(workspace, rows)) == kinds


def test_another_workspaces_writes_change_nothing_here(
    workspace: Workspace, other_workspace: Workspace, rows: dict[str, Any]
) -> None:
    def theirs() -> None:
        customer = f.customer(other_workspace, "C1")
        f.pay(f.invoice(customer, "F-1", date(2026, 2, 1)), date(2026, 2, 2))
        _event(other_workspace, f.sent_message(customer, "<x@globex.example>"))

    assert changed(workspace, theirs) == set()


def test_a_rolled_back_write_changes_nothing(workspace: Workspace, rows: dict[str, Any]) -> None:
    from django.db import transaction

    def write() -> None:
        try:
            with transaction.atomic():
                f.pay(rows["invoice"], date(2026, 2, 5), "10.00")
                raise RuntimeError("abandoned")
        except RuntimeError:
            pass

    assert changed(workspace, write) == set()


def test_lost_triggers_come_back_with_migrate(workspace: Workspace) -> None:
    """SQLite drops a table's triggers when a migration rebuilds the table: post_migrate installs them."""
    name = versions.trigger_name("ledger_payment", "INSERT")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {name} ON ledger_payment")
        else:
            cursor.execute(f"DROP TRIGGER {name}")
    assert versions.missing_triggers() == [name]
    versions.after_migrate(sender=None, using="default")
    assert versions.missing_triggers() == []
    customer = f.customer(workspace, "C9")
    invoice = f.invoice(customer, "F-9", date(2026, 2, 1))
    assert changed(workspace, lambda: f.pay(invoice, date(2026, 2, 2))) == {LEDGER}


def test_memoized_until_a_version_of_what_it_reads_changes(
    workspace: Workspace, rows: dict[str, Any]
) -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    def ask() -> int:
        return memoize(workspace, "test", (LEDGER,), ("a",), compute)

    assert (ask(), ask()) == (1, 1)
    _event(workspace, rows["sent"])  # engagement: not read
    assert ask() == 1
    assert memoize(workspace, "test", (LEDGER,), ("b",), compute) == 2  # other parts: another figure
    f.pay(rows["invoice"], date(2026, 2, 5), "10.00")
    assert ask() == 3


def test_a_version_row_per_workspace_and_kind(workspace: Workspace, rows: dict[str, Any]) -> None:
    _event(workspace, rows["sent"])
    _event(workspace, rows["sent"])
    found = sorted(DataVersion.objects.filter(workspace_id=workspace.pk).values_list("domain", flat=True))
    assert found == sorted({LEDGER, OUTBOX, SENT, ENGAGEMENT})
