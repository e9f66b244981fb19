"""Writes a person makes on one customer from the web pages: a payment, a note, a logged call (and the promise
it may bring), a new billing contact. Each is atomic; bad input raises InvalidInput and writes nothing.

A payment recorded here has the consequences of an imported one: it lowers what the invoice owes (the
outstanding is always amount minus payments), it is credited to the reminder before it (attribution), and the
customer's queued messages that no longer have anything to chase are cancelled rather than sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from relance.accounts.models import Workspace
from relance.engine.errors import InvalidInput
from relance.ledger.models import Customer, CustomerNote, Hold, Invoice, Payment

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
REFERENCE_MAX = Payment._meta.get_field("reference").max_length or 200
NAME_MAX = Customer._meta.get_field("contact_name").max_length or 200
NOTE_MAX = 10_000


def outstanding(invoice: Invoice) -> Decimal:
    paid = invoice.payments.aggregate(total=Sum("amount"))["total"] or ZERO
    return (invoice.amount - paid).quantize(CENT)


def _cancel_pending_that_chase_nothing(customer: Customer) -> int:
    """The queued or approval-waiting messages of the customer that would now chase a paid invoice."""
    from relance.mail.models import Message
    from relance.mail.outbox import PENDING, do_cancel, stale_reasons

    pending = list(Message.objects.filter(customer=customer, status__in=PENDING).values_list("pk", flat=True))
    return do_cancel(stale_reasons(pending)) if pending else 0


@transaction.atomic
def do_record_payment(
    workspace: Workspace,
    invoice: Invoice,
    *,
    amount: Decimal,
    on: date,
    today: date,
    reference: str = "",
) -> Payment:
    """Record a payment of `amount` received on `on` for `invoice`.

    Refused: an amount of zero or less, a date in the future or before the invoice was issued, a void
    invoice, more than the invoice still owes (as the import refuses an overpayment), a reference the
    invoice already has. Without a reference, one is made from the date (`manual-2026-03-15`, then `-2`...).
    """
    from relance.tracking.attribution import do_recompute_attribution

    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk, workspace=workspace)
    amount = Decimal(amount).quantize(CENT)
    if amount <= ZERO:
        raise InvalidInput(_("The amount must be more than zero."))
    if on > today:
        raise InvalidInput(_("The payment date %(day)s is in the future.") % {"day": on.isoformat()})
    if on < invoice.issue_date:
        raise InvalidInput(
            _("The payment date %(day)s is before the invoice was issued (%(issued)s).")
            % {"day": on.isoformat(), "issued": invoice.issue_date.isoformat()}
        )
    if invoice.status == Invoice.VOID:
        raise InvalidInput(_("Invoice %(number)s is void.") % {"number": invoice.number})
    owed = outstanding(invoice)
    if amount > owed:
        raise InvalidInput(
            _("%(amount)s is more than invoice %(number)s still owes (%(owed)s %(currency)s).")
            % {"amount": amount, "number": invoice.number, "owed": owed, "currency": invoice.currency}
        )
    reference = reference.strip() or _free_reference(invoice, on)
    if len(reference) > REFERENCE_MAX:
        raise InvalidInput(_("The reference is longer than %(n)s characters.") % {"n": REFERENCE_MAX})
    if invoice.payments.filter(reference=reference).exists():
        raise InvalidInput(
            _("Invoice %(number)s already has a payment with reference %(reference)s.")
            % {"number": invoice.number, "reference": reference}
        )
    # Saving it refreshes the invoice's paid-off date in this transaction (relance.ledger.paid_off).
    payment = Payment.objects.create(
        workspace=workspace, invoice=invoice, date=on, amount=amount, reference=reference
    )
    # What a payments import does: credit the reminders before it. Only this invoice can have changed.
    do_recompute_attribution([invoice.pk])
    _cancel_pending_that_chase_nothing(invoice.customer)
    return payment


def _free_reference(invoice: Invoice, on: date) -> str:
    base = f"manual-{on.isoformat()}"
    taken = set(invoice.payments.filter(reference__startswith=base).values_list("reference", flat=True))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(_("The text is empty."))
    if len(text) > NOTE_MAX:
        raise InvalidInput(_("The text is longer than %(n)s characters.") % {"n": NOTE_MAX})
    return text


@transaction.atomic
def do_add_note(workspace: Workspace, customer: Customer, text: str, author: Any = None) -> CustomerNote:
    _check_customer(workspace, customer)
    return CustomerNote.objects.create(
        workspace=workspace,
        customer=customer,
        kind=CustomerNote.NOTE,
        text=_clean_text(text),
        author=author,
    )


def open_invoices(customer: Customer) -> list[Invoice]:
    """The customer's open invoices that still owe more than the workspace's tolerance."""
    paid = dict(
        Payment.objects.filter(invoice__customer=customer)
        .values("invoice_id")
        .annotate(total=Sum("amount"))
        .values_list("invoice_id", "total")
    )
    tolerance = customer.workspace.tolerance
    invoices = customer.invoices.filter(status=Invoice.OPEN).order_by("due_date", "pk")
    return [i for i in invoices if i.amount - (paid.get(i.pk) or ZERO) > tolerance]


@transaction.atomic
def do_log_call(
    workspace: Workspace,
    customer: Customer,
    outcome: str,
    *,
    today: date,
    promise_date: date | None = None,
    invoices: Sequence[Invoice] | None = None,
    author: Any = None,
) -> tuple[CustomerNote, list[Hold]]:
    """Log a call with the customer. A promise to pay by `promise_date` holds the chase of `invoices`
    (default: every open invoice of the customer) up to and including that day: reminders resume the day
    after if the money has not come."""
    _check_customer(workspace, customer)
    text = _clean_text(outcome)
    holds: list[Hold] = []
    if promise_date is not None:
        if promise_date < today:
            raise InvalidInput(
                _("The promised date %(day)s has already passed.") % {"day": promise_date.isoformat()}
            )
        chosen = list(invoices) if invoices is not None else open_invoices(customer)
        if any(invoice.customer_id != customer.pk for invoice in chosen):
            raise InvalidInput(_("An invoice of another customer was chosen."))
        if not chosen:
            raise InvalidInput(_("The customer has no open invoice to hold until the promised date."))
        note = f"Promise to pay by {promise_date.isoformat()} (call): {text}"
        holds = [
            Hold.objects.create(
                workspace=workspace,
                invoice=invoice,
                start=today,
                until=promise_date + timedelta(days=1),
                reason=Hold.PROMISE,
                note=note[:2000],
            )
            for invoice in chosen
        ]
    call = CustomerNote.objects.create(
        workspace=workspace,
        customer=customer,
        kind=CustomerNote.CALL,
        text=text,
        author=author,
        promise_date=promise_date,
    )
    return call, holds


@transaction.atomic
def do_change_contact(
    workspace: Workspace, customer: Customer, *, contact_name: str, email: str, author: Any = None
) -> CustomerNote | None:
    """Change the billing contact. The old one is kept in a note. A new address clears the undeliverable
    mark a hard bounce left on the old one, and the messages waiting to go to the old address are cancelled
    (the next run writes them again, to the new one). None when nothing changed."""
    from relance.mail.models import Message
    from relance.mail.outbox import PENDING, do_cancel

    _check_customer(workspace, customer)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    contact_name, email = contact_name.strip(), email.strip()
    if len(contact_name) > NAME_MAX:
        raise InvalidInput(_("The contact name is longer than %(n)s characters.") % {"n": NAME_MAX})
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(_("%(email)s is not an e-mail address.") % {"email": email}) from None
    old_name, old_email = customer.contact_name, customer.email
    if (contact_name, email.lower()) == (old_name, old_email.lower()):
        return None
    changed_address = email.lower() != old_email.lower()
    customer.contact_name, customer.email = contact_name, email
    fields = ["contact_name", "email", "updated_at"]
    if changed_address and customer.undeliverable:
        customer.undeliverable = False
        fields.append("undeliverable")
    customer.save(update_fields=fields)
    if changed_address:
        pending = Message.objects.filter(customer=customer, status__in=PENDING).values_list("pk", flat=True)
        do_cancel({pk: "the billing contact changed" for pk in pending})
    before = f"{old_name} <{old_email}>" if old_name else old_email
    after = f"{contact_name} <{email}>" if contact_name else email
    return CustomerNote.objects.create(
        workspace=workspace,
        customer=customer,
        kind=CustomerNote.CONTACT_CHANGE,
        text=f"{before} → {after}",
        author=author,
    )


def _check_customer(workspace: Workspace, customer: Customer) -> None:
    if customer.workspace_id != workspace.pk:
        raise InvalidInput(
            _("Customer %(id)s is not in workspace %(slug)s.")
            % {"id": customer.external_id, "slug": workspace.slug}
        )
