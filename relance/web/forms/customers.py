"""Forms of the customers, invoices and messages pages: list filters (GET) and the actions (POST)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relance.engine.errors import InvalidInput
from relance.engine.money import parse_amount
from relance.ledger.models import Customer, Hold, Invoice
from relance.mail.models import Message

AGEING_CHOICES = [
    ("", _("Any age")),
    ("not_due", _("Not due yet")),
    ("1_30", _("1–30 days late")),
    ("31_60", _("31–60 days late")),
    ("61_90", _("61–90 days late")),
    ("over_90", _("Over 90 days late")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


# --- List filters ----------------------------------------------------------------------------------------


class CustomerFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, customer id or e-mail")}),
    )
    segment = forms.ChoiceField(label=_("Segment"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            ("active", _("Active")),
            ("excluded", _("Excluded")),
            ("paused", _("Paused by a reply")),
            ("undeliverable", _("Undeliverable")),
            ("complained", _("Complained")),
        ],
    )
    ageing = forms.ChoiceField(label=_("Oldest overdue invoice"), required=False, choices=AGEING_CHOICES)
    on_hold = forms.BooleanField(label=_("With an invoice on hold"), required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, segments: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["segment"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Any segment")), *((s, s) for s in segments or [])]


class InvoiceFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Invoice number or customer")}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("open", _("Open (still owed)")),
            ("overdue", _("Overdue")),
            ("paid", _("Paid")),
            ("void", _("Void")),
            ("all", _("All")),
        ],
    )
    ageing = forms.ChoiceField(label=_("Age"), required=False, choices=AGEING_CHOICES)
    on_hold = forms.BooleanField(label=_("On hold"), required=False)
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, currencies: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["currency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Any currency")), *((c, c) for c in currencies or [])]


class MessageFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Recipient, subject or customer")}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            (Message.QUEUED, _("Queued")),
            (Message.AWAITING_APPROVAL, _("Awaiting approval")),
            (Message.SENDING, _("Sending")),
            (Message.SENT, _("Sent")),
            (Message.FAILED, _("Failed")),
            (Message.CANCELLED, _("Cancelled")),
        ],
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, stages: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["stage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Any stage")), *((s, s) for s in stages or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period is before its start."))
        return data


# --- Actions ---------------------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Several action forms share a page: each names its inputs' ids after itself (hold_until...)."""

    id_prefix = "action"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


def _invoice_label(invoice: Invoice) -> str:
    return f"{invoice.number} · {invoice.due_date:%Y-%m-%d}"


class InvoiceChoiceMixin(ActionForm):
    """`invoice` is a choice among the customer's invoices (given), or absent when the page is one invoice."""

    invoice = forms.ModelChoiceField(label=_("Invoice"), queryset=Invoice.objects.none())

    def __init__(self, *args: Any, invoices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if invoices is None:
            del self.fields["invoice"]
        else:
            field = self.fields["invoice"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = invoices
            field.label_from_instance = _invoice_label  # type: ignore[method-assign,assignment]


class HoldForm(InvoiceChoiceMixin):
    id_prefix = "hold"
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[
            (Hold.DISPUTE, _("Dispute")),
            (Hold.PROMISE, _("Promise to pay")),
            (Hold.OTHER, _("Other")),
        ],
    )
    until = forms.DateField(
        label=_("Reminders resume on"),
        widget=DateInput(),
        help_text=_("No reminder for this invoice from today until the day before."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_until(self) -> dt.date:
        until: dt.date = self.cleaned_data["until"]
        if self.today is not None and until <= self.today:
            raise forms.ValidationError(_("Choose a day after today."))
        return until


class ReleaseForm(InvoiceChoiceMixin):
    id_prefix = "release"


class PaymentForm(InvoiceChoiceMixin):
    id_prefix = "payment"
    amount = forms.CharField(
        label=_("Amount"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    date = forms.DateField(label=_("Received on"), widget=DateInput())
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=200,
        help_text=_("The bank transfer's reference; left empty, one is made from the date."),
    )

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        if today is not None and not self.is_bound:
            self.initial.setdefault("date", today)

    def clean_amount(self) -> Decimal:
        try:
            amount = parse_amount(self.cleaned_data["amount"])
        except InvalidInput:
            raise forms.ValidationError(_("Write an amount like 1234.56 or 1 234,56.")) from None
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be more than zero."))
        return amount

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        if self.today is not None and day > self.today:
            raise forms.ValidationError(_("A payment cannot be received in the future."))
        return day


class CallForm(ActionForm):
    id_prefix = "call"

    outcome = forms.CharField(
        label=_("What was said"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    promise_date = forms.DateField(
        label=_("Promised to pay by"),
        required=False,
        widget=DateInput(),
        help_text=_("The open invoices are then held until that day: no reminder before."),
    )

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_promise_date(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("promise_date")
        if day is not None and self.today is not None and day < self.today:
            raise forms.ValidationError(_("This date has already passed."))
        return day


class ContactForm(ActionForm):
    id_prefix = "contact"

    contact_name = forms.CharField(
        label=_("Contact name"),
        required=False,
        max_length=Customer._meta.get_field("contact_name").max_length,
    )
    email = forms.EmailField(label=_("E-mail"), max_length=254)


class NoteForm(ActionForm):
    id_prefix = "note"

    text = forms.CharField(label=_("Note"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))


class ExcludeForm(ActionForm):
    id_prefix = "exclude"

    reason = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=Customer._meta.get_field("excluded_reason").max_length,
    )
