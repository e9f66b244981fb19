"""Bearer tokens (`Authorization: Bearer rl_...`): each one opens exactly one workspace, with a role.

A viewer token reads; a collector token also writes the ledger, holds, exclusions and approvals; an admin
token may do everything. The token's `last_used_at` is written at most once a minute, not on every request."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from relance.accounts.models import ApiToken, Role, Workspace, role_allows
from relance.accounts.people import find_token
from relance.accounts.tokens import TOKEN_PREFIX
from relance.api.errors import Forbidden

TOUCH_EVERY = timedelta(minutes=1)
MISSING = "authentication required: send the header `Authorization: Bearer <token>` (see /api/docs)"
INVALID = "this API token is unknown or was revoked"


class TokenAuth(HttpBearer):
    """Accepts a live token whose role is at least `role`; sets request.auth to the ApiToken."""

    def __init__(self, role: str = Role.VIEWER) -> None:
        super().__init__()
        self.role = Role(role)

    def __call__(self, request: HttpRequest) -> ApiToken:
        value = request.headers.get(self.header, "").strip()
        if not value:
            raise AuthenticationError(message=MISSING)
        scheme, _, secret = value.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise AuthenticationError(message=MISSING)
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            raise AuthenticationError(message=INVALID)
        found = find_token(token)
        if found is None:
            raise AuthenticationError(message=INVALID)
        mark_used(found, timezone.now())
        if not role_allows(found.role, self.role):
            raise Forbidden(
                f"this token's role ({found.role}) may not do this: it needs a {self.role.value} token"
                + (" (viewer tokens only read)" if found.role == Role.VIEWER else "")
            )
        return found


def mark_used(token: ApiToken, now: datetime) -> None:
    """Record the use of `token`, unless it was already recorded less than a minute ago (one UPDATE at
    most per token per minute, and none on the other requests)."""
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_EVERY)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


READ = TokenAuth(Role.VIEWER)
WRITE = TokenAuth(Role.COLLECTOR)
ADMIN = TokenAuth(Role.ADMIN)


def token_of(request: HttpRequest) -> ApiToken:
    return cast(ApiToken, cast(Any, request).auth)


def workspace_of(request: HttpRequest) -> Workspace:
    """The only workspace this request may see: the token's."""
    return token_of(request).workspace
