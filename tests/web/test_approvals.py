"""The approval queue page: approve, edit then approve, skip, in bulk or one at a time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from relance.mail.models import Message
from tests.mail.test_approvals import TEXT, waiting

# Tuesday 3 March 2026: 10:00 in Paris (inside the 09:00-17:00 window), then 21:00 (outside).
IN_WINDOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
AT_NIGHT = datetime(2026, 3, 3, 20, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """Set the time every part of the request reads (views, actions, delivery)."""

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_to(IN_WINDOW)
    return set_to


@pytest.fixture(autouse=True)
def no_smtp(settings):
    settings.EMAIL_URL = ""


def status_of(message: Message) -> str:
    return Message.objects.get(pk=message.pk).status


def page_text(response) -> str:
    return response.content.decode()


# --- the list -----------------------------------------------------------------------------------------------


def test_the_queue_lists_waiting_messages_oldest_run_first_for_a_viewer(
    viewer_client, workspace, other_workspace, clock
):
    late = waiting(workspace, "C1", run_date=date(2026, 3, 2), subject="Later one")
    early = waiting(workspace, "C2", run_date=date(2026, 2, 20), subject="Earlier one")
    waiting(workspace, "C3", status=Message.QUEUED, subject="Already queued")
    waiting(other_workspace, "C9", subject="Globex message")
    response = viewer_client.get("/approvals/")
    body = page_text(response)
    assert response.status_code == 200
    assert body.index("Earlier one") < body.index("Later one")
    assert "Already queued" not in body and "Globex message" not in body
    assert "c2@client.example" in body and "F-C2" in body  # the recipient and the invoice numbers
    assert "€1,200.00" in body
    # A viewer reads; the buttons are for those who can act.
    assert f"/approvals/{early.pk}/approve/" not in body and "Approve all" not in body
    assert late.pk


def test_a_collector_sees_the_actions_and_approve_all_with_the_count(collector_client, workspace, clock):
    first = waiting(workspace, "C1")
    waiting(workspace, "C2")
    body = page_text(collector_client.get("/approvals/"))
    assert f"/approvals/{first.pk}/approve/" in body
    assert f"/approvals/{first.pk}/edit/" in body
    assert "Approve all 2" in body
    assert 'id="select-all"' in body


def test_an_empty_queue_says_so(viewer_client, clock):
    assert "No message waits for approval." in page_text(viewer_client.get("/approvals/"))


# --- one message --------------------------------------------------------------------------------------------


def test_approving_queues_the_message_records_the_approver_and_says_why_it_was_not_sent(
    collector_client, workspace, clock
):
    message = waiting(workspace)
    response = collector_client.post(f"/approvals/{message.pk}/approve/", follow=True)
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.approved_by is not None and message.approved_by.email == "collector@acme.example"
    body = page_text(response)
    assert "1 message approved." in body
    assert "not sent yet" in body and "EMAIL_URL is not set" in body


def test_approving_sends_the_message_when_mail_is_configured(
    collector_client, workspace, clock, settings, smtp_server
):
    settings.EMAIL_URL = smtp_server.url
    message = waiting(workspace)
    response = collector_client.post(f"/approvals/{message.pk}/approve/", follow=True)
    assert status_of(message) == Message.SENT
    assert "Approved and sent." in page_text(response)
    assert len(smtp_server.messages) == 1


def test_approving_at_night_waits_for_the_sending_window(collector_client, workspace, clock):
    clock(AT_NIGHT)
    message = waiting(workspace)
    response = collector_client.post(f"/approvals/{message.pk}/approve/", follow=True)
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.not_before == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    assert "goes out when the sending window opens" in page_text(response)


def test_approving_through_htmx_replaces_the_row_with_the_outcome(collector_client, workspace, clock):
    message = waiting(workspace)
    response = collector_client.post(f"/approvals/{message.pk}/approve/", headers={"HX-Request": "true"})
    body = page_text(response)
    assert response.status_code == 200
    assert f'id="approval-{message.pk}"' in body and "not sent yet" in body
    assert "<html" not in body


def test_skipping_cancels_the_message_with_who_skipped_it(collector_client, workspace, clock):
    message = waiting(workspace)
    response = collector_client.post(f"/approvals/{message.pk}/skip/", follow=True)
    message.refresh_from_db()
    assert message.status == Message.CANCELLED
    assert message.last_error == "skipped by collector@acme.example"
    assert "1 message skipped" in page_text(response)


def test_a_message_no_longer_waiting_is_reported_not_changed(collector_client, workspace, clock):
    message = waiting(workspace, status=Message.SENT)
    response = collector_client.post(f"/approvals/{message.pk}/skip/", follow=True)
    assert status_of(message) == Message.SENT
    assert "no longer waits for approval" in page_text(response)


@pytest.mark.parametrize("action", ["approve", "skip", "edit"])
def test_a_viewer_cannot_act_on_the_queue(viewer_client, workspace, clock, action):
    message = waiting(workspace)
    response = viewer_client.post(f"/approvals/{message.pk}/{action}/", {"subject": "x", "text_body": "y"})
    assert response.status_code == 403
    assert status_of(message) == Message.AWAITING_APPROVAL


@pytest.mark.parametrize("action", ["approve", "skip", "edit"])
def test_another_workspaces_message_is_not_found(collector_client, other_workspace, clock, action):
    foreign = waiting(other_workspace, "C9")
    response = collector_client.post(f"/approvals/{foreign.pk}/{action}/", {"subject": "x", "text_body": "y"})
    assert response.status_code == 404
    assert status_of(foreign) == Message.AWAITING_APPROVAL


# --- in bulk ------------------------------------------------------------------------------------------------


def test_bulk_approve_approves_the_selected_rows_only(collector_client, workspace, clock):
    first, second, third = waiting(workspace, "C1"), waiting(workspace, "C2"), waiting(workspace, "C3")
    response = collector_client.post(
        "/approvals/bulk/", {"ids": [first.pk, second.pk], "action": "approve"}, follow=True
    )
    assert [status_of(m) for m in (first, second, third)] == [
        Message.QUEUED,
        Message.QUEUED,
        Message.AWAITING_APPROVAL,
    ]
    body = page_text(response)
    assert "2 messages approved." in body and "2 not sent (queued)" in body


def test_bulk_skip_skips_the_selected_rows(collector_client, workspace, clock):
    first, second = waiting(workspace, "C1"), waiting(workspace, "C2")
    collector_client.post("/approvals/bulk/", {"ids": [first.pk, second.pk], "action": "skip"})
    assert status_of(first) == status_of(second) == Message.CANCELLED


def test_bulk_leaves_another_workspaces_ids_alone_and_says_so(
    collector_client, workspace, other_workspace, clock
):
    mine, foreign = waiting(workspace, "C1"), waiting(other_workspace, "C9")
    response = collector_client.post(
        "/approvals/bulk/", {"ids": [mine.pk, foreign.pk], "action": "approve"}, follow=True
    )
    assert status_of(mine) == Message.QUEUED
    assert status_of(foreign) == Message.AWAITING_APPROVAL
    assert f"1 message was left alone (#{foreign.pk})" in page_text(response)


def test_bulk_without_a_selection_is_a_clear_error(collector_client, workspace, clock):
    message = waiting(workspace)
    response = collector_client.post("/approvals/bulk/", {"action": "approve"}, follow=True)
    assert "Select at least one message." in page_text(response)
    assert status_of(message) == Message.AWAITING_APPROVAL


def test_a_viewer_cannot_act_in_bulk(viewer_client, workspace, clock):
    message = waiting(workspace)
    assert (
        viewer_client.post("/approvals/bulk/", {"ids": [message.pk], "action": "approve"}).status_code == 403
    )
    assert status_of(message) == Message.AWAITING_APPROVAL


def test_approve_all_asks_for_confirmation_then_approves_what_was_shown(collector_client, workspace, clock):
    first, second = waiting(workspace, "C1"), waiting(workspace, "C2")
    page = collector_client.get("/approvals/approve-all/")
    assert page.status_code == 200
    assert "2 messages wait for approval" in page_text(page)
    assert status_of(first) == Message.AWAITING_APPROVAL  # asking changes nothing
    newcomer = waiting(workspace, "C3")  # arrives while the person reads the confirmation
    response = collector_client.post("/approvals/approve-all/", {"up_to": page.context["up_to"]}, follow=True)
    assert status_of(first) == status_of(second) == Message.QUEUED
    assert status_of(newcomer) == Message.AWAITING_APPROVAL
    assert "2 messages approved." in page_text(response)


def test_a_viewer_cannot_approve_all(viewer_client, workspace, clock):
    message = waiting(workspace)
    assert viewer_client.get("/approvals/approve-all/").status_code == 403
    assert viewer_client.post("/approvals/approve-all/", {"up_to": message.pk}).status_code == 403
    assert status_of(message) == Message.AWAITING_APPROVAL


# --- edit then approve --------------------------------------------------------------------------------------

GOOD_FIRST = TEXT.replace("F-1", "F-C1")


def test_the_edit_page_shows_the_text_and_the_linters_findings(collector_client, workspace, clock):
    message = waiting(workspace)
    response = collector_client.get(f"/approvals/{message.pk}/edit/")
    body = page_text(response)
    assert response.status_code == 200
    assert "Final reminder: invoice F-C1" in body and "Dear Camille," in body
    assert "What the linter says" in body
    assert "structure.consequences" in body  # a final notice must say what happens next
    assert "<iframe" in body


def test_checking_an_edited_text_shows_its_findings_and_changes_nothing(collector_client, workspace, clock):
    message = waiting(workspace, stage="first")
    response = collector_client.post(
        f"/approvals/{message.pk}/edit/",
        {"subject": "URGENT: PAY NOW!!!", "text_body": GOOD_FIRST, "action": "check"},
    )
    assert response.status_code == 200
    assert "Error" in page_text(response) and "URGENT" in page_text(response)
    message.refresh_from_db()
    assert message.subject == "Final reminder: invoice F-C1" and message.status == Message.AWAITING_APPROVAL


def test_a_text_with_linter_errors_cannot_be_approved(collector_client, workspace, clock):
    message = waiting(workspace, stage="first")
    response = collector_client.post(
        f"/approvals/{message.pk}/edit/",
        {"subject": "URGENT: PAY NOW!!!", "text_body": GOOD_FIRST, "action": "approve"},
    )
    assert response.status_code == 400
    assert "The linter found errors" in page_text(response)
    message.refresh_from_db()
    assert message.status == Message.AWAITING_APPROVAL and message.edited_by is None


def test_an_edited_text_is_saved_with_a_matching_html_part_and_approved(collector_client, workspace, clock):
    message = waiting(workspace, stage="first")
    subject = "Invoice F-C1: payment reminder"
    text = GOOD_FIRST.replace("Kind regards,", "Thank you for your help.\n\nKind regards,")
    data = {"subject": subject, "text_body": text, "action": "check"}
    checked = collector_client.post(f"/approvals/{message.pk}/edit/", data)
    digest = checked.context["form"].data["checked"]
    response = collector_client.post(
        f"/approvals/{message.pk}/edit/", {**data, "action": "approve", "checked": digest}, follow=True
    )
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.subject == subject and "Thank you for your help." in message.text_body
    assert "Thank you for your help." in message.html_body and "<title>" + subject in message.html_body
    assert message.edited_by is not None and message.edited_by.email == "collector@acme.example"
    assert message.approved_by == message.edited_by
    assert "edited and approved" in page_text(response)


def test_approving_a_changed_text_first_shows_its_findings(collector_client, workspace, clock):
    message = waiting(workspace, stage="first")  # this text draws warnings, no error
    data = {"subject": "Invoice F-C1: reminder", "text_body": GOOD_FIRST, "action": "approve", "checked": ""}
    response = collector_client.post(f"/approvals/{message.pk}/edit/", data)
    assert response.status_code == 400
    assert "Read the linter&#x27;s findings on this text, then approve again." in page_text(response)
    assert "structure.signature" in page_text(response)
    assert status_of(message) == Message.AWAITING_APPROVAL
    # Having seen them, the person approves the same text.
    digest = response.context["form"].data["checked"]
    collector_client.post(f"/approvals/{message.pk}/edit/", {**data, "checked": digest})
    assert status_of(message) == Message.QUEUED


def test_an_empty_subject_is_a_clear_error_and_writes_nothing(collector_client, workspace, clock):
    message = waiting(workspace, stage="first")
    response = collector_client.post(
        f"/approvals/{message.pk}/edit/", {"subject": "", "text_body": GOOD_FIRST, "action": "approve"}
    )
    assert response.status_code == 400
    assert "This field is required." in page_text(response)
    assert status_of(message) == Message.AWAITING_APPROVAL


def test_editing_a_message_no_longer_waiting_returns_to_the_queue(collector_client, workspace, clock):
    message = waiting(workspace, status=Message.CANCELLED)
    response = collector_client.get(f"/approvals/{message.pk}/edit/", follow=True)
    assert "no longer waits for approval" in page_text(response)


def test_a_viewer_cannot_open_the_editor(viewer_client, workspace, clock):
    assert viewer_client.get(f"/approvals/{waiting(workspace).pk}/edit/").status_code == 403


def test_the_queue_page_costs_the_same_few_queries_for_many_messages(
    viewer_client, workspace, clock, django_assert_max_num_queries
):
    for index in range(60):
        waiting(workspace, f"C{index}")
    with django_assert_max_num_queries(12):
        response = viewer_client.get("/approvals/")
    assert response.status_code == 200
    assert "Page 1 of 2" in page_text(response)


def test_the_findings_shown_on_opening_the_editor_count_as_seen(collector_client, workspace, clock):
    message = waiting(workspace, stage="first", subject="Invoice F-C1: reminder", text_body=GOOD_FIRST)
    page = page_text(collector_client.get(f"/approvals/{message.pk}/edit/"))
    digest = re.search(r'name="checked" value="(\w+)"', page)
    assert digest is not None
    data = {"subject": "Invoice F-C1: reminder", "text_body": GOOD_FIRST, "action": "approve"}
    collector_client.post(f"/approvals/{message.pk}/edit/", {**data, "checked": digest.group(1)})
    assert status_of(message) == Message.QUEUED
