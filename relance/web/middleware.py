"""The current workspace and the user's role in it, on every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from relance.accounts.models import Membership, Role, Workspace

SESSION_KEY = "relance_workspace"


class WorkspaceMiddleware:
    """Sets request.workspace, request.role and request.memberships.

    A user sees only the workspaces they belong to; the one chosen last is kept in the session.
    Superusers act as admins of every workspace. Dates and times show in the workspace's time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.workspace = None  # type: ignore[attr-defined]
        request.role = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            choices = available(user)
            request.memberships = choices  # type: ignore[attr-defined]
            if choices:
                wanted = request.session.get(SESSION_KEY)
                workspace, role = next(((w, r) for w, r in choices if w.pk == wanted), choices[0])
                request.workspace = workspace  # type: ignore[attr-defined]
                request.role = role  # type: ignore[attr-defined]
                timezone.activate(workspace.timezone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def available(user: Any) -> list[tuple[Workspace, str]]:
    """(workspace, role) pairs the user may open, by workspace name."""
    if getattr(user, "is_superuser", False):
        return [(w, Role.ADMIN.value) for w in Workspace.objects.order_by("name", "pk")]
    memberships = Membership.objects.filter(user=user).select_related("workspace")
    return [(m.workspace, m.role) for m in memberships.order_by("workspace__name", "workspace__pk")]
