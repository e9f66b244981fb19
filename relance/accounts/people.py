"""Writes on users, memberships and API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from relance.accounts.models import ApiToken, Membership, Role, Workspace
from relance.accounts.tokens import new_token, token_digest, token_display_prefix
from relance.engine.errors import InvalidInput


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(f"{email!r}: not an e-mail address") from exc
    return email


def check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError as exc:
        raise InvalidInput(f"role {role!r}: expected one of {', '.join(Role.values)}") from exc


@dataclass(frozen=True)
class UserResult:
    user: User
    membership: Membership
    created: bool


@transaction.atomic
def do_add_user(email: str, role: str, workspace: Workspace, password: str | None) -> UserResult:
    """Create the user (login = e-mail) or update them; give them `role` in `workspace`.

    An existing user keeps their password unless a new one is given."""
    email = normalise_email(email)
    checked_role = check_role(role)
    user = User.objects.filter(username=email).first()
    created = user is None
    if user is None:
        if not password:
            raise InvalidInput("a new user needs a password (RELANCE_PASSWORD or standard input)")
        user = User(username=email, email=email)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput("password: " + " ".join(exc.messages)) from exc
        user.set_password(password)
    user.save()
    membership, _ = Membership.objects.update_or_create(
        user=user, workspace=workspace, defaults={"role": checked_role}
    )
    return UserResult(user, membership, created)


@transaction.atomic
def do_add_workspace(slug: str, name: str, like: Workspace | None = None) -> Workspace:
    """A new workspace; sender and calendar settings start as a copy of `like` (the default workspace)."""
    if slugify(slug) != slug or not slug:
        raise InvalidInput(f"slug {slug!r}: use lowercase letters, digits and dashes (e.g. acme-fr)")
    if not name.strip():
        raise InvalidInput("--name: a workspace needs a name")
    if Workspace.objects.filter(slug=slug).exists():
        raise InvalidInput(f"workspace {slug!r} already exists")
    copied = {}
    if like is not None:
        copied = {
            f: getattr(like, f)
            for f in ("country", "timezone", "sender", "reply_to", "sending_window", "tracking_enabled")
        }
    copied.setdefault("sender", "Relance <relance@localhost>")
    return Workspace.objects.create(slug=slug, name=name.strip(), **copied)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once; only its digest is stored


@transaction.atomic
def do_issue_token(workspace: Workspace, name: str, role: str, created_by: User | None) -> IssuedToken:
    if not name.strip():
        raise InvalidInput("a token needs a name (what uses it)")
    secret = new_token()
    token = ApiToken.objects.create(
        workspace=workspace,
        name=name.strip()[:100],
        role=check_role(role),
        prefix=token_display_prefix(secret),
        digest=token_digest(secret),
        created_by=created_by,
    )
    return IssuedToken(token, secret)


@transaction.atomic
def do_revoke_token(token: ApiToken, now: datetime) -> None:
    if token.revoked_at is None:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])


def find_token(secret: str) -> ApiToken | None:
    """The live token for `secret`, or None."""
    return (
        ApiToken.objects.select_related("workspace")
        .filter(digest=token_digest(secret), revoked_at__isnull=True)
        .first()
    )
