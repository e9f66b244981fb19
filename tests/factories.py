"""Small builders for ledger rows in tests: readable defaults, every value overridable."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from relance.accounts.models import Workspace
from relance.dunning.models import Policy as PolicyRow
from relance.engine.policy import parse_policy, policy_to_dict
from relance.ledger.models import Customer, Hold, Invoice, Payment
from relance.mail.models import Message


def customer(workspace: Workspace, key: str = "C1", **fields: Any) -> Customer:
    defaults: dict[str, Any] = {
        "name": f"Client {key}",
        "email": f"{key.lower()}@client.example",
        "contact_name": "Camille Martin",
        "language": "fr",
    }
    defaults.update(fields)
    return Customer.objects.create(workspace=workspace, external_id=key, **defaults)


def invoice(
    owner: Customer,
    number: str,
    due: date,
    amount: str = "1200.00",
    issued: date | None = None,
    **fields: Any,
) -> Invoice:
    return Invoice.objects.create(
        workspace=owner.workspace,
        customer=owner,
        number=number,
        issue_date=issued or due - timedelta(days=30),
        due_date=due,
        amount=Decimal(amount),
        currency=fields.pop("currency", "EUR"),
        payment_url=fields.pop("payment_url", f"https://pay.example/{number}"),
        **fields,
    )


def pay(inv: Invoice, on: date, amount: str | None = None, reference: str | None = None) -> Payment:
    return Payment.objects.create(
        workspace=inv.workspace,
        invoice=inv,
        date=on,
        amount=Decimal(amount) if amount else inv.amount,
        reference=reference or f"R-{inv.number}-{on.isoformat()}",
    )


def hold(inv: Invoice, start: date, until: date, reason: str = Hold.DISPUTE) -> Hold:
    return Hold.objects.create(workspace=inv.workspace, invoice=inv, start=start, until=until, reason=reason)


def policy(workspace: Workspace, **data: Any) -> PolicyRow:
    definition = {
        "name": "default",
        "min_days_between_messages": 3,
        "business_days_only": False,
        "steps": [
            {"stage": "pre_due", "offset_days": -5},
            {"stage": "first", "offset_days": 3},
            {"stage": "second", "offset_days": 15},
            {"stage": "final", "offset_days": 30},
        ],
    }
    definition.update(data)
    parsed = parse_policy(definition)
    return PolicyRow.objects.create(workspace=workspace, name=parsed.name, definition=policy_to_dict(parsed))


def sent_message(
    owner: Customer, message_id: str = "<relance.abc123@acme.example>", **fields: Any
) -> Message:
    """A reminder already sent to `owner`, without going through a run (for what comes back after it)."""
    values: dict[str, Any] = {
        "workspace": owner.workspace,
        "customer": owner,
        "run_date": date(2026, 3, 2),
        "stage": "first",
        "policy_name": "default",
        "policy_version": 1,
        "template_name": "first",
        "template_version": "abc123",
        "language": "fr",
        "from_email": "Marie Dupont <marie@acme.example>",
        "reply_to": "compta@acme.example",
        "to": owner.email,
        "subject": "Facture F-1 en retard",
        "text_body": "Bonjour",
        "html_body": "<p>Bonjour</p>",
        "total_due": Decimal("1200.00"),
        "currency": "EUR",
        "status": Message.SENT,
        "message_id": message_id,
        "sent_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    }
    values.update(fields)
    return Message.objects.create(**values)
