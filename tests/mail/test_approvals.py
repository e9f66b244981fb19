"""Approving, editing and skipping messages that wait for approval (relance.mail.approvals)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User

from relance.engine.errors import InvalidInput
from relance.mail.approvals import (
    deliver_approved,
    do_approve_many,
    do_edit_and_approve,
    do_skip_many,
    html_from_text,
    lint_message,
    split_footer,
)
from relance.mail.models import Message, MessageItem
from relance.tracking.rewrite import links
from tests import factories as f

# Tuesday 3 March 2026, 10:00 in Paris: inside the workspace's 09:00-17:00 sending window.
IN_WINDOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
# The same day at 21:00 in Paris: the window opens again the next morning at 09:00.
AT_NIGHT = datetime(2026, 3, 3, 20, 0, tzinfo=UTC)

TEXT = """Dear Camille,

According to our records, invoice F-1 of January 31, 2026, which fell due
on March 2, 2026, has not been settled yet. The amount outstanding is
€1,200.00.

Pay online: https://pay.example/F-1

Kind regards,
Marie Dupont
Acme SAS

--
Acme SAS
"""


def waiting(workspace, key: str = "C1", **fields) -> Message:
    """A final notice of customer `key` waiting for approval, with its invoice."""
    owner = f.customer(workspace, key, language="en")
    invoice = f.invoice(owner, f"F-{key}", date(2026, 2, 1))
    values: dict[str, Any] = {
        "status": Message.AWAITING_APPROVAL,
        "sent_at": None,
        "stage": "final",
        "language": "en",
        "subject": f"Final reminder: invoice F-{key}",
        "text_body": TEXT,
        "message_id": f"<relance.{key}@acme.example>",
    }
    values.update(fields)
    message = f.sent_message(owner, **values)
    MessageItem.objects.create(
        message=message, invoice=invoice, stage="final", step_index=0, outstanding=invoice.amount
    )
    return message


@pytest.fixture
def alice(workspace) -> User:
    return User.objects.create_user("alice@acme.example", "alice@acme.example", "x")


@pytest.fixture
def other_workspace(db):
    from relance.accounts.models import Workspace

    return Workspace.objects.create(slug="globex", name="Globex", sender="Hank <hank@globex.example>")


def test_approving_queues_the_waiting_messages_and_records_who_approved(workspace, alice):
    first, second = waiting(workspace, "C1"), waiting(workspace, "C2")
    result = do_approve_many(workspace, [first.pk, second.pk], alice, IN_WINDOW)
    assert sorted(result.done) == [first.pk, second.pk] and result.refused == {}
    for message in Message.objects.filter(pk__in=[first.pk, second.pk]):
        assert message.status == Message.QUEUED
        assert message.approved_at == IN_WINDOW and message.approved_by == alice
        assert message.not_before is None  # inside the window: it may leave at once


def test_approving_at_night_waits_for_the_window_to_open(workspace, alice):
    message = waiting(workspace)
    do_approve_many(workspace, [message.pk], alice, AT_NIGHT)
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.not_before == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)  # 09:00 in Paris


def test_stale_and_foreign_ids_are_reported_and_never_touched(workspace, other_workspace, alice):
    mine = waiting(workspace, "C1")
    already = waiting(workspace, "C2", status=Message.SENT)
    foreign = waiting(other_workspace, "C9")
    result = do_approve_many(workspace, [mine.pk, already.pk, foreign.pk, 999_999], alice, IN_WINDOW)
    assert result.done == [mine.pk]
    assert result.refused == {already.pk: Message.SENT, foreign.pk: "", 999_999: ""}
    foreign.refresh_from_db()
    already.refresh_from_db()
    assert foreign.status == Message.AWAITING_APPROVAL and foreign.approved_by is None
    assert already.status == Message.SENT and already.approved_at is None


def test_skipping_cancels_with_the_name_of_who_skipped_and_releases_the_stage(workspace, alice):
    message, other = waiting(workspace, "C1"), waiting(workspace, "C2")
    result = do_skip_many(workspace, [message.pk], alice, IN_WINDOW)
    assert result.done == [message.pk]
    message.refresh_from_db()
    assert message.status == Message.CANCELLED
    assert message.last_error == "skipped by alice@acme.example"
    assert not MessageItem.objects.filter(message=message).exists()
    assert Message.objects.get(pk=other.pk).status == Message.AWAITING_APPROVAL


def test_skipping_refuses_a_message_of_another_workspace(workspace, other_workspace, alice):
    foreign = waiting(other_workspace, "C9")
    result = do_skip_many(workspace, [foreign.pk], alice, IN_WINDOW)
    assert result.done == [] and result.refused == {foreign.pk: ""}
    assert Message.objects.get(pk=foreign.pk).status == Message.AWAITING_APPROVAL


def test_editing_replaces_both_parts_records_the_editor_and_approves(workspace, alice):
    message = waiting(workspace)
    text = TEXT.replace("Dear Camille,", "Dear Camille, <thanks> & welcome,")
    edited = do_edit_and_approve(
        workspace, message.pk, alice, "  Invoice F-C1:   last reminder ", text, IN_WINDOW
    )
    edited.refresh_from_db()
    assert edited.subject == "Invoice F-C1: last reminder"
    assert edited.text_body == text
    assert "Dear Camille, &lt;thanks&gt; &amp; welcome," in edited.html_body
    assert "<title>Invoice F-C1: last reminder</title>" in edited.html_body
    assert edited.edited_by == alice and edited.approved_by == alice
    assert edited.status == Message.QUEUED


def test_editing_a_message_no_longer_waiting_is_refused(workspace, alice):
    message = waiting(workspace, status=Message.CANCELLED)
    with pytest.raises(InvalidInput, match="not awaiting approval"):
        do_edit_and_approve(workspace, message.pk, alice, "Subject", "Text", IN_WINDOW)
    message.refresh_from_db()
    assert message.subject == "Final reminder: invoice F-C1"


def test_editing_refuses_an_empty_text(workspace, alice):
    message = waiting(workspace)
    with pytest.raises(InvalidInput, match="empty"):
        do_edit_and_approve(workspace, message.pk, alice, "Subject", "  \n ", IN_WINDOW)
    assert Message.objects.get(pk=message.pk).status == Message.AWAITING_APPROVAL


def test_the_html_part_follows_the_text_links_buttons_footer_and_tables():
    text = (
        "Hello,\n\nInvoice  Due\n-------  ---\nF-1      March 2\n\n"
        "Pay online: https://pay.example/F-1\n\nSee https://acme.example/terms.\n\n"
        "Kind regards,\nMarie\n\n--\nAcme SAS\n\nNot the right contact? https://relance.example/t/r/x\n"
    )
    html = html_from_text(text, "Subject", "en")
    assert 'class="button"' in html and ">Pay online</a>" in html
    assert "<pre" in html and "-------  ---" in html
    assert "Kind regards,<br>" in html
    # Links in document order, the one after "See" without the sentence's full stop.
    assert links(html) == [
        "https://pay.example/F-1",
        "https://acme.example/terms",
        "https://relance.example/t/r/x",
    ]
    footer = html[html.index('class="footer"') :]
    assert "Acme SAS" in footer and "Not the right contact?" in footer


def test_wrapped_lines_join_into_one_paragraph():
    long = "According to our records, invoice F-1 of January 31, 2026, which fell due"
    html = html_from_text(f"{long}\non March 2, 2026.\n", "Subject", "en")
    assert f"{long} on March 2, 2026." in html


def test_split_footer_cuts_at_the_last_dashes_line():
    assert split_footer("Hello\n--\nnot this\n\nBody end\n--\nAcme\n") == (
        "Hello\n--\nnot this\n\nBody end\n",
        "Acme",
    )


def test_the_linter_checks_the_edited_words_with_the_messages_own_facts(workspace):
    message = waiting(workspace, stage="first")
    clean = lint_message(message, "Invoice F-C1: payment reminder", TEXT.replace("F-1", "F-C1"))
    assert clean is not None and not clean.errors
    # The final notice's rules apply to a final notice: it must say what happens next, and when.
    final = lint_message(waiting(workspace, "C2"), "Invoice F-C2: final reminder", TEXT)
    assert final is not None and any(f.rule == "structure.consequences" for f in final.errors)
    shouting = lint_message(message, "URGENT: PAY NOW!!!", TEXT)
    assert shouting is not None and shouting.errors
    assert any(finding.part == "subject" for finding in shouting.errors)


def test_the_linter_skips_stages_it_does_not_know(workspace):
    assert lint_message(waiting(workspace, stage="legal_letter"), "Subject", TEXT) is None


def test_delivery_says_why_an_approved_message_was_not_sent(workspace, alice, settings):
    settings.EMAIL_URL = ""
    message = waiting(workspace)
    do_approve_many(workspace, [message.pk], alice, IN_WINDOW - timedelta(days=365))
    [delivery] = deliver_approved(workspace, [message.pk], IN_WINDOW)
    assert delivery.status == Message.QUEUED and "EMAIL_URL is not set" in delivery.reason


def test_delivery_sends_an_approved_message_that_is_due(workspace, alice, settings, smtp_server):
    settings.EMAIL_URL = smtp_server.url
    message = waiting(workspace)
    do_approve_many(workspace, [message.pk], alice, datetime(2020, 1, 7, 10, 0, tzinfo=UTC))
    [delivery] = deliver_approved(workspace, [message.pk], datetime(2020, 1, 7, 10, 0, tzinfo=UTC))
    assert delivery.status == Message.SENT and delivery.reason == ""
    assert len(smtp_server.messages) == 1
