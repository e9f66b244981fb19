"""Small builders for ledger rows in tests: readable defaults, every value overridable."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from relance.accounts.models import Workspace
from relance.dunning.models import Policy as PolicyRow
from relance.engine.policy import parse_policy, policy_to_dict
from relance.ledger.models import Customer, Hold, Invoice, Payment


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
