"""Background work through the Django Tasks API: in process on the embedded default, workers at scale."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from relance.mail.sending import dispatch, smtp_factory


@task()
def send_outbox(workspace_id: int | None = None) -> dict[str, int]:
    report = dispatch(timezone.now(), smtp_factory(), workspace_id)
    return {
        "sent": report.sent,
        "retried": report.retried,
        "failed": report.failed,
        "cancelled": report.cancelled,
    }
