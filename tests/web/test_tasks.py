"""The tasks pages: filters, owner, due date, done with an outcome, reopen, replies and resuming."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from relance.accounts.models import Membership
from relance.dunning.actions_tasks import do_open_task
from relance.dunning.models import Task
from relance.tracking.models import Reply
from tests import factories as f

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def task(workspace, key: str = "C1", kind: str = Task.CALL, due: date = TODAY, **fields) -> Task:
    customer = workspace.customers.filter(external_id=key).first() or f.customer(
        workspace, key, name=f"Client {key}"
    )
    made = do_open_task(customer, kind, f"{kind} task for {customer.name}", f"detail of {key}", due)
    if fields:
        Task.objects.filter(pk=made.pk).update(**fields)
        made.refresh_from_db()
    return made


def text(response) -> str:
    return response.content.decode()


def user(email: str) -> User:
    return User.objects.get(email=email)


# --- the list -----------------------------------------------------------------------------------------------


def test_the_list_shows_open_tasks_by_due_date_for_a_viewer(viewer_client, workspace, other_workspace):
    task(workspace, "C1", due=TODAY + timedelta(days=3))
    task(workspace, "C2", Task.BOUNCE, due=TODAY - timedelta(days=2))
    task(workspace, "C3", status=Task.DONE)
    task(other_workspace, "G1")
    response = viewer_client.get("/tasks/")
    body = text(response)
    assert response.status_code == 200
    assert body.index("Client C2") < body.index("Client C1")
    assert "Client C3" not in body and "Client G1" not in body
    assert "overdue" in body  # C2 is past its due date
    assert "Assign to me" not in body  # viewers read only


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("kind=bounce", ["Client C2"], ["Client C1", "Client C4"]),
        ("owner=me", ["Client C4"], ["Client C1", "Client C2"]),
        ("owner=unassigned", ["Client C1", "Client C2"], ["Client C4"]),
        ("overdue=on", ["Client C2"], ["Client C1", "Client C4"]),
        ("status=done", ["Client C3"], ["Client C1", "Client C2", "Client C4"]),
    ],
)
def test_filters_by_kind_owner_status_and_overdue(collector_client, workspace, query, shown, hidden):
    task(workspace, "C1", due=TODAY + timedelta(days=3))
    task(workspace, "C2", Task.BOUNCE, due=TODAY - timedelta(days=2))
    task(workspace, "C3", status=Task.DONE, done_at=NOW)
    task(workspace, "C4", Task.REPLY, due=TODAY, owner=user("collector@acme.example"))
    body = text(collector_client.get(f"/tasks/?{query}"))
    for name in shown:
        assert name in body
    for name in hidden:
        assert name not in body


def test_live_filters_answer_with_the_rows_only(viewer_client, workspace):
    task(workspace, "C1")
    response = viewer_client.get("/tasks/?kind=call", headers={"HX-Request": "true"})
    assert "Client C1" in text(response) and "<html" not in text(response)


def test_the_counts_by_kind_cover_open_tasks(viewer_client, workspace):
    task(workspace, "C1", Task.REPLY)
    task(workspace, "C2", Task.REPLY)
    task(workspace, "C3", Task.REPLY, status=Task.DONE)
    body = text(viewer_client.get("/tasks/"))
    assert 'Reply to answer</a> <span class="pill warn">2</span>' in body
    assert 'Call</a> <span class="pill muted">0</span>' in body


# --- a task -------------------------------------------------------------------------------------------------


def test_a_reply_task_shows_what_the_customer_wrote(viewer_client, workspace):
    reply_task = task(workspace, "C1", Task.REPLY)
    Reply.objects.create(
        workspace=workspace,
        customer=reply_task.customer,
        header_message_id="<r1@client.example>",
        from_address="c1@client.example",
        subject="Re: Facture F-1",
        text="Nous payons vendredi, promis.",
        received_at=NOW - timedelta(hours=2),
    )
    response = viewer_client.get(f"/tasks/{reply_task.pk}/")
    body = text(response)
    assert response.status_code == 200
    assert "Nous payons vendredi, promis." in body and "Re: Facture F-1" in body
    assert "Resume automation" not in body  # a viewer cannot


def test_another_workspaces_task_is_not_found(collector_client, other_workspace):
    foreign = task(other_workspace, "G1")
    assert collector_client.get(f"/tasks/{foreign.pk}/").status_code == 404
    for action, data in (
        ("assign", {"owner": "me"}),
        ("due", {"due_date": "2026-04-01"}),
        ("done", {"outcome": "x"}),
        ("reopen", {}),
        ("resume", {}),
    ):
        assert collector_client.post(f"/tasks/{foreign.pk}/{action}/", data).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Task.OPEN and foreign.owner is None


# --- actions ------------------------------------------------------------------------------------------------


def test_assign_to_me(collector_client, workspace):
    mine = task(workspace)
    response = collector_client.post(f"/tasks/{mine.pk}/assign/", {"owner": "me"}, follow=True)
    mine.refresh_from_db()
    assert mine.owner == user("collector@acme.example")
    assert "assigned to collector@acme.example" in text(response)


def test_assign_to_another_member_then_to_nobody(collector_client, workspace):
    bob = User.objects.create_user("bob@acme.example", "bob@acme.example", "x")
    Membership.objects.create(user=bob, workspace=workspace, role="collector")
    item = task(workspace)
    collector_client.post(f"/tasks/{item.pk}/assign/", {"owner": str(bob.pk)})
    item.refresh_from_db()
    assert item.owner == bob
    collector_client.post(f"/tasks/{item.pk}/assign/", {"owner": ""})
    item.refresh_from_db()
    assert item.owner is None


def test_a_task_cannot_go_to_someone_outside_the_workspace(collector_client, workspace, other_workspace):
    outsider = User.objects.create_user("hank@globex.example", "hank@globex.example", "x")
    Membership.objects.create(user=outsider, workspace=other_workspace, role="admin")
    item = task(workspace)
    response = collector_client.post(f"/tasks/{item.pk}/assign/", {"owner": str(outsider.pk)}, follow=True)
    assert "cannot act in this workspace" in text(response)
    item.refresh_from_db()
    assert item.owner is None
    response = collector_client.post(f"/tasks/{item.pk}/assign/", {"owner": "nobody"}, follow=True)
    assert "Choose a member of this workspace." in text(response)


def test_change_the_due_date(collector_client, workspace):
    item = task(workspace)
    collector_client.post(f"/tasks/{item.pk}/due/", {"due_date": "2026-04-01"})
    item.refresh_from_db()
    assert item.due_date == date(2026, 4, 1)


def test_a_bad_due_date_is_a_clear_error(collector_client, workspace):
    item = task(workspace)
    response = collector_client.post(f"/tasks/{item.pk}/due/", {"due_date": "next week"}, follow=True)
    assert "Give a valid date." in text(response)
    item.refresh_from_db()
    assert item.due_date == TODAY


def test_mark_done_with_an_outcome_note_then_reopen(collector_client, workspace):
    item = task(workspace)
    collector_client.post(f"/tasks/{item.pk}/done/", {"outcome": "Called: pays on Friday."})
    item.refresh_from_db()
    assert item.status == Task.DONE and item.outcome == "Called: pays on Friday."
    assert item.done_by == user("collector@acme.example") and item.done_at == NOW
    assert "Called: pays on Friday." in text(collector_client.get(f"/tasks/{item.pk}/"))
    collector_client.post(f"/tasks/{item.pk}/reopen/")
    item.refresh_from_db()
    assert item.status == Task.OPEN and item.done_at is None


def test_reopen_is_refused_while_another_task_of_that_kind_is_open(collector_client, workspace):
    old = task(workspace, status=Task.DONE, done_at=NOW)
    task(workspace)  # a new call task for the same customer
    response = collector_client.post(f"/tasks/{old.pk}/reopen/", follow=True)
    assert "already has an open task of this kind" in text(response)
    old.refresh_from_db()
    assert old.status == Task.DONE


def test_actions_from_the_list_return_to_the_filtered_list(collector_client, workspace):
    item = task(workspace)
    response = collector_client.post(
        f"/tasks/{item.pk}/assign/", {"owner": "me", "next": "/tasks/?kind=call"}
    )
    assert response.status_code == 302 and response["Location"] == "/tasks/?kind=call"
    response = collector_client.post(
        f"/tasks/{item.pk}/done/", {"next": "https://evil.example/"}
    )  # never off-site
    assert response["Location"] == f"/tasks/{item.pk}/"


def test_resume_automation_from_a_reply_task(collector_client, workspace):
    item = task(workspace, kind=Task.REPLY)
    item.customer.paused = True
    item.customer.save()
    page = text(collector_client.get(f"/tasks/{item.pk}/"))
    assert "Resume automation" in page
    response = collector_client.post(
        f"/tasks/{item.pk}/resume/", {"outcome": "Answered by phone."}, follow=True
    )
    item.refresh_from_db()
    item.customer.refresh_from_db()
    assert not item.customer.paused
    assert item.status == Task.DONE and item.outcome == "Answered by phone."
    assert "Automation resumed for Client C1" in text(response)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("assign", {"owner": "me"}),
        ("due", {"due_date": "2026-04-01"}),
        ("done", {"outcome": "x"}),
        ("reopen", {}),
        ("resume", {}),
    ],
)
def test_a_viewer_cannot_change_a_task(viewer_client, workspace, action, data):
    item = task(workspace, kind=Task.REPLY)
    assert viewer_client.post(f"/tasks/{item.pk}/{action}/", data).status_code == 403
    item.refresh_from_db()
    assert item.status == Task.OPEN and item.owner is None and item.due_date == TODAY


def test_the_list_costs_the_same_few_queries_for_many_tasks(
    viewer_client, workspace, django_assert_max_num_queries
):
    for index in range(60):
        task(workspace, f"C{index}", owner=user("viewer@acme.example") if index % 2 else None)
    with django_assert_max_num_queries(12):
        response = viewer_client.get("/tasks/")
    assert response.status_code == 200
    assert "Page 1 of 2" in text(response)
