"""What people do with their tasks: take them, plan them, close them with an outcome, reopen them, and
resume the automation a customer's reply paused. Each action is one transaction on one task of the
workspace; a task of another workspace does not exist here (Task.DoesNotExist)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction

from relance.accounts.models import Membership, Role, Workspace
from relance.dunning.models import Task
from relance.engine.errors import InvalidInput
from relance.tracking.replies import do_resume

OUTCOME_MAX = 2000


def _task(workspace: Workspace, task_id: int) -> Task:
    return Task.objects.select_for_update().select_related("customer").get(workspace=workspace, pk=task_id)


def can_own(workspace: Workspace, user: Any) -> bool:
    """Tasks go to people who can act in the workspace: collectors and admins (superusers act as admins)."""
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(
        workspace=workspace, user=user, role__in=(Role.COLLECTOR, Role.ADMIN)
    ).exists()


@transaction.atomic
def do_assign_task(workspace: Workspace, task_id: int, owner: Any | None) -> Task:
    """Give the task to `owner` (None: nobody). InvalidInput when `owner` cannot act in the workspace."""
    task = _task(workspace, task_id)
    if owner is not None and not can_own(workspace, owner):
        raise InvalidInput(f"{owner} is not a collector or admin of workspace {workspace.slug!r}")
    task.owner = owner
    task.save(update_fields=["owner"])
    return task


@transaction.atomic
def do_set_task_due(workspace: Workspace, task_id: int, due_date: date) -> Task:
    task = _task(workspace, task_id)
    task.due_date = due_date
    task.save(update_fields=["due_date"])
    return task


@transaction.atomic
def do_complete_task(workspace: Workspace, task_id: int, user: Any, outcome: str, now: datetime) -> Task:
    """Close an open task with what was done. InvalidInput when it is already done."""
    task = _task(workspace, task_id)
    if task.status != Task.OPEN:
        raise InvalidInput(f"task #{task_id} is already done")
    outcome = outcome.strip()
    if len(outcome) > OUTCOME_MAX:
        raise InvalidInput(f"the outcome note is longer than {OUTCOME_MAX} characters")
    _close(task, user, outcome, now)
    return task


def _close(task: Task, user: Any, outcome: str, now: datetime) -> None:
    task.status = Task.DONE
    task.outcome = outcome
    task.done_at = now
    task.done_by = user
    task.save(update_fields=["status", "outcome", "done_at", "done_by"])


@transaction.atomic
def do_reopen_task(workspace: Workspace, task_id: int) -> Task:
    """Open a done task again. InvalidInput when the customer already has an open task of that kind (there
    is one open task per customer and kind: work that one)."""
    task = _task(workspace, task_id)
    if task.status == Task.OPEN:
        raise InvalidInput(f"task #{task_id} is already open")
    if Task.objects.filter(customer_id=task.customer_id, kind=task.kind, status=Task.OPEN).exists():
        raise InvalidInput(f"{task.customer.name} already has an open task of this kind")
    task.status = Task.OPEN
    task.done_at = None
    task.done_by = None
    try:
        with transaction.atomic():
            task.save(update_fields=["status", "done_at", "done_by"])
    except IntegrityError:  # opened meanwhile by the daily run or a reply
        raise InvalidInput(f"{task.customer.name} already has an open task of this kind") from None
    return task


@transaction.atomic
def do_resume_from_task(workspace: Workspace, task_id: int, user: Any, outcome: str, now: datetime) -> Task:
    """Resume the automation a reply paused (relance.tracking.replies.do_resume) and close this reply task
    as done by `user`. InvalidInput when the task is not an open reply task."""
    task = _task(workspace, task_id)
    if task.kind != Task.REPLY or task.status != Task.OPEN:
        raise InvalidInput(f"task #{task_id} is not an open reply task")
    do_resume(workspace, task.customer.external_id, close_tasks=False)
    _close(task, user, outcome.strip() or "automation resumed", now)
    return task
