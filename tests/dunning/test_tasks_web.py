"""What people do with tasks (relance.dunning.actions_tasks_web)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User

from relance.accounts.models import Membership, Workspace
from relance.dunning.actions_tasks import do_open_task
from relance.dunning.actions_tasks_web import (
    do_assign_task,
    do_complete_task,
    do_reopen_task,
    do_resume_from_task,
    do_set_task_due,
)
from relance.dunning.models import Task
from relance.engine.errors import InvalidInput
from tests import factories as f

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def member(workspace: Workspace, email: str, role: str) -> User:
    user = User.objects.create_user(email, email, "x")
    Membership.objects.create(user=user, workspace=workspace, role=role)
    return user


def open_task(workspace: Workspace, kind: str = Task.CALL, key: str = "C1") -> Task:
    customer = workspace.customers.filter(external_id=key).first() or f.customer(workspace, key)
    return do_open_task(customer, kind, f"Call {customer.name}", "", date(2026, 3, 5))


def test_a_task_goes_to_a_collector_and_back_to_nobody(workspace):
    bob = member(workspace, "bob@acme.example", "collector")
    task = open_task(workspace)
    assert do_assign_task(workspace, task.pk, bob).owner == bob
    assert do_assign_task(workspace, task.pk, None).owner is None


def test_a_task_cannot_go_to_a_viewer_or_a_stranger(workspace):
    task = open_task(workspace)
    viewer = member(workspace, "vera@acme.example", "viewer")
    stranger = User.objects.create_user("x@else.example", "x@else.example", "x")
    for person in (viewer, stranger):
        with pytest.raises(InvalidInput):
            do_assign_task(workspace, task.pk, person)
    assert Task.objects.get(pk=task.pk).owner is None


def test_closing_records_the_outcome_who_and_when_and_reopening_clears_it(workspace):
    bob = member(workspace, "bob@acme.example", "collector")
    task = open_task(workspace)
    done = do_complete_task(workspace, task.pk, bob, "  Promised to pay Friday ", NOW)
    assert (done.status, done.outcome, done.done_by, done.done_at) == (
        Task.DONE,
        "Promised to pay Friday",
        bob,
        NOW,
    )
    with pytest.raises(InvalidInput, match="already done"):
        do_complete_task(workspace, task.pk, bob, "", NOW)
    reopened = do_reopen_task(workspace, task.pk)
    assert reopened.status == Task.OPEN and reopened.done_at is None and reopened.done_by is None


def test_reopening_is_refused_when_the_customer_has_another_open_task_of_that_kind(workspace):
    bob = member(workspace, "bob@acme.example", "collector")
    old = open_task(workspace)
    do_complete_task(workspace, old.pk, bob, "", NOW)
    open_task(workspace)  # a new call task for the same customer
    with pytest.raises(InvalidInput, match="already has an open task"):
        do_reopen_task(workspace, old.pk)
    assert Task.objects.get(pk=old.pk).status == Task.DONE


def test_the_due_date_changes(workspace):
    task = open_task(workspace)
    assert do_set_task_due(workspace, task.pk, date(2026, 4, 1)).due_date == date(2026, 4, 1)


def test_another_workspaces_task_does_not_exist_here(workspace):
    other = Workspace.objects.create(slug="globex", name="Globex", sender="h@globex.example")
    task = open_task(other, key="G1")
    with pytest.raises(Task.DoesNotExist):
        do_set_task_due(workspace, task.pk, date(2026, 4, 1))


def test_resuming_from_a_reply_task_unpauses_the_customer_and_closes_the_task(workspace):
    bob = member(workspace, "bob@acme.example", "collector")
    task = open_task(workspace, Task.REPLY)
    task.customer.paused = True
    task.customer.save()
    done = do_resume_from_task(workspace, task.pk, bob, "", NOW)
    done.customer.refresh_from_db()
    assert not done.customer.paused
    assert done.status == Task.DONE and done.done_by == bob and done.outcome == "automation resumed"


def test_only_an_open_reply_task_resumes_the_automation(workspace):
    bob = member(workspace, "bob@acme.example", "collector")
    task = open_task(workspace, Task.CALL)
    with pytest.raises(InvalidInput):
        do_resume_from_task(workspace, task.pk, bob, "", NOW)
