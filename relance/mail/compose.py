"""From a planned message to an outbox row: the template context, the rendering, the headers."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from relance.accounts.models import Workspace
from relance.engine.planner import PlannedMessage
from relance.ledger.models import Customer, Invoice
from relance.mail.models import Message, MessageItem
from relance.mail.rendering import render
from relance.mail.rendering.sample import make_greeting
from relance.mail.template_store import resolve_template
from relance.tracking.experiments import assign


def split_name(full_name: str) -> tuple[str, str]:
    parts = full_name.strip().split()
    if not parts:
        return "", ""
    return parts[0], " ".join(parts[1:])


def contact_context(customer: Customer) -> dict[str, str]:
    first, last = split_name(customer.contact_name)
    greeting = make_greeting(customer.language, first)
    return {
        "first_name": first,
        "last_name": last,
        "full_name": customer.contact_name.strip(),
        "greeting": greeting,
    }


def invoice_context(invoice: Invoice, outstanding: Decimal, today: date, stage: str = "") -> dict[str, Any]:
    return {
        "number": invoice.number,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "amount": invoice.amount,
        "outstanding": outstanding,
        "currency": invoice.currency,
        "days_late": (today - invoice.due_date).days,
        "pdf_url": invoice.pdf_url,
        "payment_url": invoice.payment_url,
        "stage": stage,
    }


def sender_context(workspace: Workspace) -> dict[str, str]:
    name, address = parseaddr(workspace.sender)
    signature_lines = [name or address]
    if workspace.sender_title:
        signature_lines.append(workspace.sender_title)
    signature_lines.append(workspace.legal_name or workspace.name)
    if workspace.sender_phone:
        signature_lines.append(workspace.sender_phone)
    signature_lines.append(workspace.reply_to or address)
    return {
        "name": name or address,
        "email": address,
        "title": workspace.sender_title,
        "phone": workspace.sender_phone,
        "signature": "\n".join(signature_lines),
    }


def company_context(workspace: Workspace) -> dict[str, str]:
    return {
        "legal_name": workspace.legal_name or workspace.name,
        "address": workspace.company_address,
        "registration": workspace.company_registration,
        "legal_mentions": workspace.legal_mentions,
        "country": workspace.country,
    }


def build_context(
    workspace: Workspace,
    customer: Customer,
    invoices: Sequence[dict[str, Any]],
    upcoming: Sequence[dict[str, Any]],
    stage: str,
    today: date,
) -> dict[str, Any]:
    currency = invoices[0]["currency"] if invoices else "EUR"
    total = sum((inv["outstanding"] for inv in invoices if inv["currency"] == currency), Decimal("0"))
    single = invoices[0] if len(invoices) == 1 else None
    reply_address = parseaddr(workspace.reply_to or workspace.sender)[1]
    return {
        "customer": {"name": customer.name, "id": customer.external_id},
        "contact": contact_context(customer),
        "invoices": list(invoices),
        "upcoming": list(upcoming),
        "totals": {"due": total, "currency": currency, "count": len(invoices)},
        "sender": sender_context(workspace),
        "company": company_context(workspace),
        "links": {
            "pay": (single["payment_url"] if single else "") or workspace.payment_page_url,
            "invoice": single["pdf_url"] if single else "",
            "statement": "",
            "contact": f"mailto:{reply_address}" if reply_address else "",
        },
        "deadline": today + timedelta(days=workspace.final_notice_days) if stage == "final" else None,
        "stage": stage,
        "today": today,
    }


def template_folders() -> list[Path]:
    from relance.conf import env

    folder = env("RELANCE_TEMPLATES_DIR", "")
    return [Path(folder)] if folder else []


def new_message_id(sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "relance.invalid"
    return f"<relance.{uuid.uuid4().hex}@{domain}>"


def compose(
    workspace: Workspace,
    customer: Customer,
    planned: PlannedMessage,
    invoices: dict[int, Invoice],
    today: date,
    not_before: datetime | None,
    experiments: Mapping[str, Any] | None = None,
) -> tuple[Message, list[MessageItem]]:
    """An unsaved outbox message and its items, rendered in the customer's language.

    `experiments`: the running experiments by stage (relance.tracking.experiments.running_by_stage)."""
    items_ctx = [
        invoice_context(invoices[item.invoice.key], item.invoice.outstanding, today, item.step.stage)
        for item in planned.items
    ]
    upcoming_ctx = [invoice_context(invoices[inv.key], inv.outstanding, today) for inv in planned.upcoming]
    step = planned.step
    context = build_context(workspace, customer, items_ctx, upcoming_ctx, step.stage, today)
    # A running experiment on this stage picks the template and subject (see relance.tracking.experiments).
    assignment = assign(experiments or {}, customer, step.stage, today)
    template_name = (assignment.template if assignment else "") or step.template
    # The workspace's saved version, else the folder's file, else the built-in: the sha it records is exact.
    template = resolve_template(workspace, template_name, customer.language, template_folders())
    subject_index = assignment.subject if assignment else 0
    if subject_index >= len(template.compiled.subjects):  # this language's version has fewer subjects
        subject_index = 0
    rendered = render(template, context, subject_index)
    totals = planned.totals()
    # The message's currency is the one carrying the largest amount; totals in others stay in the body.
    currency = max(totals, key=lambda c: totals[c])
    message = Message(
        workspace=workspace,
        customer=customer,
        run_date=today,
        stage=step.stage,
        policy_name=planned.policy.name,
        policy_version=planned.policy.version,
        template_name=rendered.template_name,
        template_version=rendered.template_version,
        language=customer.language,
        from_email=workspace.sender,
        reply_to=workspace.reply_to,
        to=customer.email,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        total_due=totals[currency],
        currency=currency,
        status=Message.AWAITING_APPROVAL if planned.requires_approval else Message.QUEUED,
        message_id=new_message_id(workspace.sender),
        not_before=not_before,
        experiment=assignment.experiment if assignment else None,
        variant=assignment.variant if assignment else "",
    )
    items = [
        MessageItem(
            message=message,
            invoice_id=item.invoice.key,
            stage=item.step.stage,
            step_index=item.step_index,
            outstanding=item.invoice.outstanding,
        )
        for item in planned.items
    ]
    _add_tracking_footer(message)
    return message, items


def _add_tracking_footer(message: Message) -> None:
    """With RELANCE_BASE_URL set, a footer link: one-click unsubscribe page on courtesy (pre-due) reminders,
    the contact page (another billing contact, a question) on the others. Open/click tracking is not done
    here but when sending (relance.tracking.rewrite), so that the stored message keeps its real links."""
    from django.conf import settings

    from relance.tracking.rewrite import add_footer_link, footer_link

    if not settings.RELANCE_BASE_URL:
        return
    base_url = settings.RELANCE_BASE_URL
    sentence, url = footer_link(message.stage, message.language, message.message_id, base_url)
    message.text_body, message.html_body = add_footer_link(
        message.text_body, message.html_body, sentence, url, message.language
    )
