"""Tasks for people: what e-mail cannot do (collection, a bounced address, a call)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from relance.dunning.models import Task
from relance.ledger.models import Customer


@transaction.atomic
def do_open_task(customer: Customer, kind: str, title: str, detail: str, due_date: date) -> Task:
    """One open task per customer and kind: a new reason adds to its detail instead of a duplicate."""
    task, created = Task.objects.get_or_create(
        customer=customer,
        kind=kind,
        status=Task.OPEN,
        defaults={
            "workspace_id": customer.workspace_id,
            "title": title,
            "detail": detail,
            "due_date": due_date,
        },
    )
    if not created and detail not in task.detail:
        task.detail = f"{task.detail}\n{detail}".strip()
        task.save(update_fields=["detail"])
    return task
