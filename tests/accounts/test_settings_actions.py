"""Settings changed one section at a time with the CLI's rules; members never without an admin; the test
e-mail through an injected transport."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from relance.accounts.models import Membership, Workspace
from relance.accounts.settings_actions import (
    SettingsInvalid,
    do_add_member,
    do_change_role,
    do_remove_member,
    do_send_test_email,
    do_update_settings,
)
from relance.engine.errors import InvalidInput
from relance.mail.transport import MemoryTransport, PermanentError
from tests.web.conftest import make_user

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_a_section_is_saved_and_normalised_by_the_cli_rules(workspace):
    changed = do_update_settings(
        workspace,
        "calendar",
        {"country": "de", "sending_window": " 08:00-12:00 ", "timezone": "Europe/Berlin"},
    )
    assert set(changed) == {"country", "sending_window", "timezone"}
    row = Workspace.objects.get(pk=workspace.pk)
    assert (row.country, row.sending_window, row.timezone) == ("DE", "08:00-12:00", "Europe/Berlin")
    assert workspace.country == "DE"  # the caller's instance follows


def test_every_refused_value_is_reported_and_nothing_is_written(workspace):
    with pytest.raises(SettingsInvalid) as caught:
        do_update_settings(
            workspace,
            "identity",
            {"sender": "Robot <donotreply@acme.example>", "reply_to": "pas une adresse", "sender_title": "x"},
        )
    assert set(caught.value.errors) == {"sender", "reply_to"}
    assert Workspace.objects.get(pk=workspace.pk).sender_title == ""


def test_saving_unchanged_values_changes_nothing(workspace):
    assert do_update_settings(workspace, "tracking", {"tracking_enabled": True, "attribution_days": 14}) == []


@pytest.mark.parametrize(("section", "values"), [("smtp", {}), ("identity", {"country": "DE"})])
def test_a_field_outside_its_section_is_refused(workspace, section, values):
    with pytest.raises(InvalidInput):
        do_update_settings(workspace, section, values)


def test_the_last_admin_stays(workspace):
    admin = make_user("a@acme.example", workspace, "admin")
    membership = Membership.objects.get(user=admin)
    with pytest.raises(InvalidInput, match="at least one admin"):
        do_change_role(workspace, membership, "viewer")
    with pytest.raises(InvalidInput, match="at least one admin"):
        do_remove_member(workspace, membership)
    make_user("b@acme.example", workspace, "admin")
    assert do_change_role(workspace, membership, "viewer") is True
    assert Membership.objects.get(user=admin).role == "viewer"


def test_adding_a_member_never_changes_an_existing_users_password(workspace):
    other = Workspace.objects.create(slug="globex", name="Globex", sender="Hank <hank@globex.example>")
    user = make_user("hank@globex.example", other, "admin")
    before = user.password
    added = do_add_member(workspace, "hank@globex.example", "collector", password="another-pass-123")
    user.refresh_from_db()
    assert not added.created and added.password is None and user.password == before


def test_a_new_member_gets_a_generated_password(workspace):
    added = do_add_member(workspace, "New@Acme.example", "viewer")
    assert added.created and added.password
    assert added.membership.user.username == "new@acme.example"
    assert added.membership.user.check_password(added.password)


def test_the_test_email_goes_through_the_given_transport(workspace, settings):
    settings.EMAIL_URL = "smtp://127.0.0.1:2525"
    transport = MemoryTransport()
    sent = do_send_test_email(
        workspace, "me@acme.example", NOW, "Test", "Hello <you>.", factory=lambda: transport
    )
    [message] = transport.sent
    assert message["To"] == "me@acme.example" and message["From"] == workspace.sender
    assert sent.transport == "smtp://127.0.0.1:2525"
    html = message.get_body(("html",)).get_content()
    assert "Hello &lt;you&gt;." in html


def test_a_refused_test_email_is_invalid_input_with_the_reason(workspace, settings):
    settings.EMAIL_URL = "smtp://127.0.0.1:2525"
    transport = MemoryTransport()
    transport.fail(PermanentError("550 5.7.1 relaying denied", code=550))
    with pytest.raises(InvalidInput, match="relaying denied"):
        do_send_test_email(workspace, "me@acme.example", NOW, "Test", "Hello.", factory=lambda: transport)
