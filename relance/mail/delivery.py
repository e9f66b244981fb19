"""Handing the outbox to the task backend, and saying clearly when it cannot be sent."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import TaskResultStatus

from relance.accounts.models import Workspace
from relance.mail.models import Message
from relance.mail.outbox import pending_filter
from relance.mail.sending import SendingNotConfigured, smtp_factory
from relance.mail.tasks import send_outbox


def deliver_now(workspace: Workspace) -> str:
    """Enqueue the sending of due messages; '' when handed over, else why nothing could be sent."""
    if not Message.objects.filter(workspace=workspace).filter(pending_filter(timezone.now())).exists():
        return ""
    try:
        smtp_factory()
    except (SendingNotConfigured, ValueError) as exc:
        return str(exc)
    result = send_outbox.enqueue(workspace.pk)
    if result.status == TaskResultStatus.FAILED:
        last_line = result.errors[-1].traceback.strip().splitlines()[-1] if result.errors else "unknown error"
        return f"sending failed, messages stay queued for the next attempt: {last_line}"
    return ""
