"""The settings pages' forms: one per section. They check types and lengths; the rules of the domain (no-reply
senders, holiday calendars, sending windows...) are checked by relance.accounts.settings_actions, whose
errors are put back on the fields they name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Role, Workspace
from relance.accounts.settings_actions import ATTRIBUTION_DAYS, FINAL_NOTICE_DAYS, SECTIONS

ROLE_LABELS = {Role.ADMIN: _("Admin"), Role.COLLECTOR: _("Collector"), Role.VIEWER: _("Viewer")}
ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in (Role.VIEWER, Role.COLLECTOR, Role.ADMIN)]


class SectionForm(forms.Form):
    """A section of the settings; `section` names the fields the action saves."""

    section = ""
    title: Any = ""

    @classmethod
    def for_workspace(cls, workspace: Workspace, data: Any = None) -> SectionForm:
        initial = {name: getattr(workspace, name) for name in SECTIONS[cls.section]}
        return cls(data, initial=initial, prefix=cls.section)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SECTIONS[self.section]}


class IdentityForm(SectionForm):
    section = "identity"
    title = _("Sender identity")

    name = forms.CharField(label=_("Workspace name"), max_length=200)
    sender = forms.CharField(
        label=_("Sender"),
        max_length=254,
        help_text=_(
            "“Name <address>” of a real person, who reads the replies. No-reply addresses are refused."
        ),
    )
    reply_to = forms.CharField(
        label=_("Reply-to address"),
        max_length=254,
        required=False,
        help_text=_("Where replies go, when not to the sender (e.g. accounts@…)."),
    )
    sender_title = forms.CharField(label=_("Sender's job title"), max_length=100, required=False)
    sender_phone = forms.CharField(label=_("Sender's phone number"), max_length=40, required=False)


class TrackingForm(SectionForm):
    section = "tracking"
    title = _("Tracking")

    tracking_enabled = forms.BooleanField(
        label=_("Track opens and clicks"),
        required=False,
        help_text=_("A tracking pixel and link redirects in the HTML part, when RELANCE_BASE_URL is set."),
    )
    attribution_days = forms.IntegerField(
        label=_("Attribution window (days)"),
        min_value=ATTRIBUTION_DAYS[0],
        max_value=ATTRIBUTION_DAYS[1],
        help_text=_("A payment within this many days after a delivered reminder is credited to it."),
    )


class LegalForm(SectionForm):
    section = "legal"
    title = _("Legal mentions")

    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    company_address = forms.CharField(label=_("Address"), max_length=300, required=False)
    company_registration = forms.CharField(
        label=_("Registration"),
        max_length=100,
        required=False,
        help_text=_("Company number, VAT number (e.g. SIREN/SIRET)."),
    )
    legal_mentions = forms.CharField(
        label=_("Legal mentions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Printed in the footer of every message (late-payment penalties, data protection…)."),
    )
    payment_page_url = forms.CharField(
        label=_("Payment page"),
        max_length=500,
        required=False,
        help_text=_("Where customers pay online, when an invoice has no payment link of its own."),
    )


class CalendarForm(SectionForm):
    section = "calendar"
    title = _("Calendar and sending window")

    country = forms.CharField(
        label=_("Country of the public holidays"),
        max_length=2,
        help_text=_("Two-letter code: FR, BE, GB, US…"),
    )
    timezone = forms.CharField(label=_("Time zone"), max_length=64, help_text=_("e.g. Europe/Paris"))
    sending_window = forms.CharField(
        label=_("Sending window"),
        max_length=11,
        help_text=_("HH:MM-HH:MM in the customer's time zone, e.g. 09:00-17:00."),
    )
    tolerance = forms.DecimalField(
        label=_("Tolerance"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text=_("An outstanding amount at or below this is treated as paid (rounding, bank fees)."),
    )
    final_notice_days = forms.IntegerField(
        label=_("Days given in a final notice"),
        min_value=FINAL_NOTICE_DAYS[0],
        max_value=FINAL_NOTICE_DAYS[1],
    )


SECTION_FORMS: dict[str, type[SectionForm]] = {
    form.section: form for form in (IdentityForm, TrackingForm, LegalForm, CalendarForm)
}


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What uses it, e.g. “accounting export”.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=Role.COLLECTOR.value)


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=Role.VIEWER.value)
    password = forms.CharField(
        label=_("Temporary password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Only for someone without an account yet. Leave empty to generate one, shown once."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
