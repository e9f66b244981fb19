"""Changing a workspace's settings from the web pages: one section at a time, with the rules of the CLI.

Each section (sender identity, tracking, legal mentions, calendar) is validated whole and saved whole, or not
at all: every problem is reported against the field it concerns (`SettingsInvalid.errors`), and nothing is
written. Sender, reply-to, country, time zone and sending window go through the same checks as the
RELANCE_* variables (`relance.accounts.actions.validate_settings`). Also here: the members of a workspace
(never without an admin) and the test e-mail sent through the configured transport.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from relance.accounts.actions import WorkspaceSettings, check_sender, validate_settings
from relance.accounts.models import Membership, Role, Workspace
from relance.accounts.people import UserResult, check_role, do_add_user, normalise_email
from relance.engine.calendar import validate_country
from relance.engine.errors import InvalidInput
from relance.engine.window import SendingWindow

SECTIONS: dict[str, tuple[str, ...]] = {
    "identity": ("name", "sender", "reply_to", "sender_title", "sender_phone"),
    "tracking": ("tracking_enabled", "attribution_days"),
    "legal": ("legal_name", "company_address", "company_registration", "legal_mentions", "payment_page_url"),
    "calendar": ("country", "timezone", "sending_window", "tolerance", "final_notice_days"),
}
ATTRIBUTION_DAYS = (1, 365)
FINAL_NOTICE_DAYS = (1, 90)


class SettingsInvalid(InvalidInput):
    """Values refused, each with the field it concerns."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


# --- settings ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_update_settings(workspace: Workspace, section: str, values: Mapping[str, Any]) -> list[str]:
    """Save the fields of one section of the workspace's settings; returns the names of those that changed.

    Raises SettingsInvalid (field -> message) and writes nothing when any value is refused."""
    if section not in SECTIONS:
        raise InvalidInput(f"unknown settings section {section!r}: one of {', '.join(SECTIONS)}")
    fields = SECTIONS[section]
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise InvalidInput(f"not in the {section} section: {', '.join(unknown)}")
    row = Workspace.objects.select_for_update().get(pk=workspace.pk)
    wanted = {name: _clean(values[name]) if name in values else getattr(row, name) for name in fields}
    errors = _check(wanted)
    if errors:
        raise SettingsInvalid(errors)
    # The rules the RELANCE_* variables follow, on the settings as they will be: they also normalise them
    # (country in capitals, addresses and window trimmed).
    current = {name: wanted.get(name, getattr(row, name)) for name in _VALIDATED}
    checked = validate_settings(WorkspaceSettings(**current))
    for name in _VALIDATED:
        if name in wanted:
            wanted[name] = getattr(checked, name)
    changed = [name for name in fields if getattr(row, name) != wanted[name]]
    for name in changed:
        setattr(row, name, wanted[name])
        setattr(workspace, name, wanted[name])
    if changed:
        row.save(update_fields=changed)
    return changed


_VALIDATED = ("country", "timezone", "sender", "reply_to", "sending_window")


def _clean(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _check(values: Mapping[str, Any]) -> dict[str, str]:
    """Every refused value of a section, field by field (each checker sees only its own field)."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        checker = _CHECKERS.get(name)
        message = checker(value) if checker else None
        if message:
            errors[name] = message
    return errors


def _check_name(value: str) -> str | None:
    return None if value else _("A workspace needs a name.")


def _check_sender(value: str) -> str | None:
    if not value:
        return _("Customers answer reminders: give the address of a real person.")
    return _address_problem(value, "sender")


def _check_reply_to(value: str) -> str | None:
    return _address_problem(value, "reply_to") if value else None


def _address_problem(value: str, where: str) -> str | None:
    try:
        check_sender(value, where)
    except InvalidInput:
        if "@" not in parseaddr(value)[1]:
            return _("Expected an address like “Marie Dupont <marie@acme.example>”.")
        return _("A no-reply address is refused: customers answer reminders, use a real person's address.")
    return None


def _check_country(value: str) -> str | None:
    try:
        validate_country(value)
    except (ValueError, KeyError, NotImplementedError):
        return _(
            "No public holiday calendar for %(country)s: use a two-letter code such as FR, BE, GB or US."
        ) % {"country": value or "''"}
    return None


def _check_timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return _("Not a known time zone: use a name such as Europe/Paris or America/New_York.")
    return None


def _check_window(value: str) -> str | None:
    try:
        SendingWindow.parse(value)
    except InvalidInput as exc:
        if "after the start" in str(exc):
            return _("The end of the sending window must come after its start.")
        return _("Expected HH:MM-HH:MM, for example 09:00-17:00.")
    return None


def _check_tolerance(value: Decimal) -> str | None:
    if value is None or value < 0:
        return _("The tolerance is an amount of zero or more.")
    return None


def _between(low: int, high: int) -> Callable[[int], str | None]:
    def check(value: int) -> str | None:
        if value is None or not low <= value <= high:
            return _("Give a number of days from %(low)d to %(high)d.") % {"low": low, "high": high}
        return None

    return check


def _check_url(value: str) -> str | None:
    if value and not value.lower().startswith(("https://", "http://")):
        return _("Give a web address starting with https://.")
    return None


_CHECKERS: dict[str, Callable[[Any], str | None]] = {
    "name": _check_name,
    "sender": _check_sender,
    "reply_to": _check_reply_to,
    "country": _check_country,
    "timezone": _check_timezone,
    "sending_window": _check_window,
    "tolerance": _check_tolerance,
    "attribution_days": _between(*ATTRIBUTION_DAYS),
    "final_notice_days": _between(*FINAL_NOTICE_DAYS),
    "payment_page_url": _check_url,
}


# --- members ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddedMember:
    membership: Membership
    created: bool  # a new user was created
    password: str | None  # the temporary password of a new user, to show once (None when given or existing)


def find_user(email: str) -> User | None:
    """The user whose login is `email`, else the only user with that e-mail address."""
    user = User.objects.filter(username=email).first()
    if user is not None:
        return user
    matches = list(User.objects.filter(email__iexact=email)[:2])
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def do_add_member(workspace: Workspace, email: str, role: str, password: str = "") -> AddedMember:
    """Give an existing user (found by e-mail) `role` in the workspace, or create them with a temporary
    password: the one given, else a generated one returned to be shown once. An existing user's password is
    never changed here. Someone already a member is refused (change their role instead)."""
    email = normalise_email(email)
    checked = check_role(role)
    user = find_user(email)
    if user is not None:
        if Membership.objects.filter(workspace=workspace, user=user).exists():
            raise InvalidInput(
                _("%(email)s is already a member: change their role in the list.") % {"email": email}
            )
        membership = Membership.objects.create(workspace=workspace, user=user, role=checked)
        return AddedMember(membership, created=False, password=None)
    generated = "" if password else new_password()
    result: UserResult = do_add_user(email, checked, workspace, password or generated)
    return AddedMember(result.membership, created=True, password=generated or None)


def new_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def do_change_role(workspace: Workspace, membership: Membership, role: str) -> bool:
    """Change a member's role; the workspace's last admin stays an admin. Returns whether it changed."""
    checked = check_role(role)
    row = _locked_member(workspace, membership)
    if row.role == checked:
        return False
    if row.role == Role.ADMIN:
        _keep_an_admin(workspace, row)
    row.role = checked
    row.save(update_fields=["role"])
    membership.role = checked
    return True


@transaction.atomic
def do_remove_member(workspace: Workspace, membership: Membership) -> None:
    """Take a user out of the workspace (the user stays: they may belong to others); never the last admin."""
    row = _locked_member(workspace, membership)
    if row.role == Role.ADMIN:
        _keep_an_admin(workspace, row)
    row.delete()


def _locked_member(workspace: Workspace, membership: Membership) -> Membership:
    # One change of members at a time per workspace: two admins demoting each other cannot leave none.
    list(Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk", flat=True))
    try:
        return Membership.objects.get(pk=membership.pk, workspace=workspace)
    except Membership.DoesNotExist:
        raise InvalidInput(_("This person is no longer a member of the workspace.")) from None


def _keep_an_admin(workspace: Workspace, leaving: Membership) -> None:
    others = Membership.objects.filter(workspace=workspace, role=Role.ADMIN).exclude(pk=leaving.pk)
    if not others.exists():
        raise InvalidInput(_("The workspace needs at least one admin: make someone else admin first."))


# --- the test e-mail ----------------------------------------------------------------------------------


TransportFactory = Callable[[], AbstractContextManager[Any]]


@dataclass(frozen=True)
class SentTestEmail:
    to: str
    subject: str
    transport: str  # where it went, without the password


def do_send_test_email(
    workspace: Workspace,
    to: str,
    now: datetime,
    subject: str,
    text: str,
    factory: TransportFactory | None = None,
    language: str = "en",
) -> SentTestEmail:
    """Send a short message from the workspace's sender to `to` through the configured transport (EMAIL_URL).

    Raises InvalidInput with the reason when sending is not configured, the EMAIL_URL is invalid or the
    server refuses the message. Nothing is recorded: it is not a reminder."""
    from django.conf import settings

    from relance.mail.mime import make_mime
    from relance.mail.sending import SendingNotConfigured, smtp_factory
    from relance.mail.transport import SMTPConfig, TransportError

    to = normalise_email(to)
    try:
        factory = factory or smtp_factory()
        where = str(SMTPConfig.from_url(settings.EMAIL_URL)) if settings.EMAIL_URL else "test transport"
    except SendingNotConfigured as exc:
        raise InvalidInput(str(exc)) from exc
    except ValueError as exc:  # the EMAIL_URL does not parse: the message never quotes the password
        raise InvalidInput(str(exc)) from exc
    domain = parseaddr(workspace.sender)[1].rpartition("@")[2] or "relance.invalid"
    html = (
        "<!doctype html><html><body>"
        + "".join(f"<p>{_escape(paragraph)}</p>" for paragraph in text.split("\n\n"))
        + "</body></html>"
    )
    email = make_mime(
        workspace.sender,
        to,
        workspace.reply_to,
        subject,
        f"<relance.test.{uuid.uuid4().hex}@{domain}>",
        now,
        text,
        html,
        language,
    )
    try:
        with factory() as transport:
            transport.send(email)
    except TransportError as exc:
        raise InvalidInput(str(exc)) from exc
    except OSError as exc:
        raise InvalidInput(f"{where}: {exc}") from exc
    return SentTestEmail(to=to, subject=subject, transport=where)


def _escape(text: str) -> str:
    from html import escape

    return escape(text).replace("\n", "<br>")
