"""Writes on workspaces."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction

from relance.accounts.models import Workspace
from relance.accounts.queries import DEFAULT_SLUG
from relance.conf import env
from relance.engine.calendar import validate_country
from relance.engine.errors import InvalidInput
from relance.engine.window import SendingWindow

NO_REPLY_MARKERS = ("noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "nepasrepondre")


@dataclass(frozen=True)
class WorkspaceSettings:
    country: str
    timezone: str
    sender: str
    reply_to: str
    sending_window: str


def settings_from_env() -> WorkspaceSettings:
    return validate_settings(
        WorkspaceSettings(
            country=env("RELANCE_COUNTRY", "FR"),
            timezone=env("RELANCE_TIMEZONE", "Europe/Paris"),
            sender=env("RELANCE_SENDER", "Relance Demo <relance@localhost>"),
            reply_to=env("RELANCE_REPLY_TO", ""),
            sending_window=env("RELANCE_SENDING_WINDOW", "09:00-17:00"),
        )
    )


def validate_settings(s: WorkspaceSettings) -> WorkspaceSettings:
    try:
        country = validate_country(s.country)
    except ValueError as exc:
        raise InvalidInput(f"RELANCE_COUNTRY: {exc}") from exc
    try:
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            f"RELANCE_TIMEZONE={s.timezone!r}: not a known time zone (e.g. Europe/Paris)"
        ) from exc
    check_sender(s.sender, "RELANCE_SENDER")
    if s.reply_to:
        check_sender(s.reply_to, "RELANCE_REPLY_TO")
    SendingWindow.parse(s.sending_window)
    return WorkspaceSettings(
        country, s.timezone, s.sender.strip(), s.reply_to.strip(), s.sending_window.strip()
    )


def check_sender(value: str, where: str) -> None:
    """Customers answer reminders: a sender that refuses replies is refused."""
    _, address = parseaddr(value)
    if "@" not in address:
        raise InvalidInput(f"{where}={value!r}: expected an address like 'Marie Dupont <marie@acme.example>'")
    local = address.split("@", 1)[0].lower().replace(".", "")
    if any(
        marker.replace("-", "").replace("_", "") in local.replace("-", "").replace("_", "")
        for marker in NO_REPLY_MARKERS
    ):
        raise InvalidInput(f"{where}={value!r}: use a real person's address, never a no-reply one")


ENV_FIELDS = {
    "RELANCE_COUNTRY": "country",
    "RELANCE_TIMEZONE": "timezone",
    "RELANCE_SENDER": "sender",
    "RELANCE_REPLY_TO": "reply_to",
    "RELANCE_SENDING_WINDOW": "sending_window",
}


@transaction.atomic
def do_ensure_default_workspace(
    settings: WorkspaceSettings, name: str = "Default", slug: str = DEFAULT_SLUG
) -> tuple[Workspace, bool]:
    """Create the workspace from the environment; later, apply only the variables that are set."""
    workspace, created = Workspace.objects.get_or_create(
        slug=slug, defaults={"name": name, **{f: getattr(settings, f) for f in ENV_FIELDS.values()}}
    )
    if not created:
        for variable, field_name in ENV_FIELDS.items():
            if env(variable, ""):
                setattr(workspace, field_name, getattr(settings, field_name))
        workspace.save()
    return workspace, created
