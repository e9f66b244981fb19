"""What every page's layout needs: the workspace, the role, and the counters in the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from relance.accounts.models import Role, role_allows


def web(request: HttpRequest) -> dict[str, Any]:
    workspace = getattr(request, "workspace", None)
    role = getattr(request, "role", None)
    context: dict[str, Any] = {
        "current_workspace": workspace,
        "current_role": role,
        "current_role_label": Role(role).label if role else "",
        "user_workspaces": getattr(request, "memberships", []),
        "can_act": role_allows(role, "collector"),
        "can_admin": role_allows(role, "admin"),
    }
    if workspace is not None:
        from relance.dunning.models import Task
        from relance.mail.models import Message

        context["nav_counts"] = {
            "approvals": Message.objects.filter(
                workspace=workspace, status=Message.AWAITING_APPROVAL
            ).count(),
            "tasks": Task.objects.filter(workspace=workspace, status=Task.OPEN).count(),
        }
    return context
