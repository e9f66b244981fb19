"""Who may see and do what: every page names the least role it needs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from relance.accounts.models import Role, Workspace, role_allows

View = Callable[..., HttpResponse]
M = TypeVar("M", bound=Model)


def require_role(role: str = Role.VIEWER) -> Callable[[View], View]:
    """Login required; the user must belong to the current workspace with at least `role`.

    Viewers read; collectors act on customers, approve and edit templates; admins change settings."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.workspace is None:  # type: ignore[attr-defined]
                return render(request, "web/no_workspace.html", status=403)
            if not role_allows(request.role, role):  # type: ignore[attr-defined]
                raise PermissionDenied(f"this needs the {role} role")
            return view(request, *args, **kwargs)

        wrapper.required_role = role  # type: ignore[attr-defined]
        return wrapper

    return decorate


def workspace_of(request: HttpRequest) -> Workspace:
    workspace = request.workspace  # type: ignore[attr-defined]
    assert workspace is not None, "views behind require_role always have a workspace"
    return workspace


def scoped(request: HttpRequest, model: type[M], **lookup: Any) -> M:
    """One row of the current workspace, else 404: another workspace's rows do not exist here."""
    return get_object_or_404(model, workspace=workspace_of(request), **lookup)


def can(request: HttpRequest, role: str) -> bool:
    return role_allows(request.role, role)  # type: ignore[attr-defined]
