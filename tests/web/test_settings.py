"""The settings pages: each section validates and saves on its own, how mail leaves, API tokens, members;
only admins change anything."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from relance.accounts.models import ApiToken, Membership, Workspace
from relance.accounts.people import do_issue_token
from tests.web.conftest import PASSWORD, make_user

SETTINGS = reverse("web:settings")
TOKENS = reverse("web:settings_tokens")
MEMBERS = reverse("web:settings_members")

IDENTITY = {
    "identity-name": "Acme",
    "identity-sender": "Marie Dupont <marie@acme.example>",
    "identity-reply_to": "compta@acme.example",
    "identity-sender_title": "Comptabilité clients",
    "identity-sender_phone": "+33 4 72 00 00 00",
}
CALENDAR = {
    "calendar-country": "FR",
    "calendar-timezone": "Europe/Paris",
    "calendar-sending_window": "09:00-17:00",
    "calendar-tolerance": "0.50",
    "calendar-final_notice_days": "8",
}


def section_url(section: str) -> str:
    return reverse("web:settings_section", args=[section])


def fresh(workspace: Workspace) -> Workspace:
    return Workspace.objects.get(pk=workspace.pk)


def field_errors(html: str, field_id: str) -> bool:
    """Whether the input `field_id` is marked invalid (Django sets aria-invalid on fields with errors)."""
    tag = re.search(rf"<(input|textarea|select)[^>]*id=\"{field_id}\"[^>]*>", html)
    return bool(tag and 'aria-invalid="true"' in tag.group(0))


# --- reading -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "collector"])
def test_viewers_and_collectors_read_the_settings_without_save_buttons(login_as, workspace, role):
    page = login_as(role).get(SETTINGS).content.decode()
    assert "Marie Dupont &lt;marie@acme.example&gt;" in page
    assert "only admins can change them" in page
    assert "Save:" not in page and "Send a test e-mail" not in page
    tag = re.search(r'<input[^>]*id="id_identity-sender"[^>]*>', page)
    assert tag and " disabled" in tag.group(0)


def test_an_admin_sees_every_section_with_its_form(admin_client_ws):
    response = admin_client_ws.get(SETTINGS)
    assert response.status_code == 200
    page = response.content.decode()
    for section in ("identity", "tracking", "legal", "calendar", "sending"):
        assert f'id="{section}"' in page
    assert page.count("Save:") == 4 and "Send a test e-mail to admin@acme.example" in page


@pytest.mark.parametrize("role", ["viewer", "collector"])
def test_viewers_and_collectors_cannot_change_settings(login_as, workspace, role):
    client = login_as(role)
    data = {**IDENTITY, "identity-sender": "Someone Else <else@acme.example>"}
    response = client.post(section_url("identity"), data)
    assert response.status_code == 403
    assert fresh(workspace).sender == "Marie Dupont <marie@acme.example>"
    assert client.get(TOKENS).status_code == 403 and client.get(MEMBERS).status_code == 403
    assert client.post(TOKENS, {"name": "x", "role": "admin"}).status_code == 403
    assert not ApiToken.objects.exists()


# --- sections --------------------------------------------------------------------------------------------


def test_the_identity_section_saves_the_sender(admin_client_ws, workspace):
    data = {**IDENTITY, "identity-sender": "Paul Martin <paul@acme.example>", "identity-sender_title": "DAF"}
    response = admin_client_ws.post(section_url("identity"), data)
    assert response.status_code == 302 and response["Location"].endswith("#identity")
    ws = fresh(workspace)
    assert (ws.sender, ws.sender_title) == ("Paul Martin <paul@acme.example>", "DAF")


def test_a_no_reply_sender_is_refused_naming_the_field_and_nothing_is_written(admin_client_ws, workspace):
    data = {**IDENTITY, "identity-sender": "Acme <no-reply@acme.example>", "identity-sender_title": "Changed"}
    response = admin_client_ws.post(section_url("identity"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "no-reply address is refused" in page
    assert field_errors(page, "id_identity-sender") and not field_errors(page, "id_identity-reply_to")
    ws = fresh(workspace)
    assert ws.sender == "Marie Dupont <marie@acme.example>" and ws.sender_title == ""


def test_a_no_reply_reply_to_is_refused_too(admin_client_ws, workspace):
    data = {**IDENTITY, "identity-reply_to": "noreply@acme.example"}
    response = admin_client_ws.post(section_url("identity"), data)
    assert response.status_code == 400 and field_errors(response.content.decode(), "id_identity-reply_to")
    assert fresh(workspace).reply_to == "compta@acme.example"


def test_the_calendar_section_saves_and_normalises(admin_client_ws, workspace):
    data = {**CALENDAR, "calendar-country": "be", "calendar-sending_window": " 08:30-18:00 "}
    assert admin_client_ws.post(section_url("calendar"), data).status_code == 302
    ws = fresh(workspace)
    assert (ws.country, ws.sending_window, ws.tolerance) == ("BE", "08:30-18:00", Decimal("0.50"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sending_window", "9h-17h", "Expected HH:MM-HH:MM"),
        ("sending_window", "17:00-09:00", "must come after its start"),
        ("country", "ZZ", "No public holiday calendar for ZZ"),
        ("timezone", "Europe/Lyon", "Not a known time zone"),
        ("final_notice_days", "0", "greater than or equal to 1"),
        ("tolerance", "-1", "greater than or equal to 0"),
    ],
)
def test_bad_calendar_values_are_refused_naming_the_field_and_nothing_is_written(
    admin_client_ws, workspace, field, value, message
):
    data = {**CALENDAR, "calendar-tolerance": "5.00", f"calendar-{field}": value}
    response = admin_client_ws.post(section_url("calendar"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and field_errors(page, f"id_calendar-{field}")
    ws = fresh(workspace)
    assert (ws.country, ws.timezone, ws.sending_window) == ("FR", "Europe/Paris", "09:00-17:00")
    assert ws.tolerance == Decimal("0.00")


def test_every_bad_field_of_a_section_is_reported_at_once(admin_client_ws):
    data = {**CALENDAR, "calendar-country": "ZZ", "calendar-sending_window": "nope"}
    page = admin_client_ws.post(section_url("calendar"), data).content.decode()
    assert field_errors(page, "id_calendar-country") and field_errors(page, "id_calendar-sending_window")


def test_tracking_can_be_turned_off_and_the_attribution_window_changed(admin_client_ws, workspace):
    response = admin_client_ws.post(section_url("tracking"), {"tracking-attribution_days": "21"})
    assert response.status_code == 302
    ws = fresh(workspace)
    assert ws.tracking_enabled is False and ws.attribution_days == 21


def test_the_legal_section_refuses_a_payment_page_that_is_not_a_web_address(admin_client_ws, workspace):
    data = {
        "legal-legal_name": "Acme SAS",
        "legal-company_address": "12 rue de la République, Lyon",
        "legal-company_registration": "RCS Lyon 123 456 789",
        "legal-legal_mentions": "Pénalités de retard : 3 fois le taux légal.",
        "legal-payment_page_url": "javascript:alert(1)",
    }
    response = admin_client_ws.post(section_url("legal"), data)
    assert response.status_code == 400 and field_errors(
        response.content.decode(), "id_legal-payment_page_url"
    )
    assert fresh(workspace).company_address == ""
    data["legal-payment_page_url"] = "https://pay.acme.example/"
    assert admin_client_ws.post(section_url("legal"), data).status_code == 302
    ws = fresh(workspace)
    assert ws.payment_page_url == "https://pay.acme.example/" and ws.legal_mentions.startswith("Pénalités")


def test_a_section_saves_only_its_own_fields(admin_client_ws, workspace):
    data = {**IDENTITY, "calendar-country": "DE", "country": "DE"}
    admin_client_ws.post(section_url("identity"), data)
    assert fresh(workspace).country == "FR"


def test_an_unknown_section_is_not_found(admin_client_ws):
    assert admin_client_ws.post(section_url("secrets"), {}).status_code == 404


# --- how mail leaves -------------------------------------------------------------------------------------


def test_the_email_url_is_shown_without_its_password(admin_client_ws, viewer_client, settings):
    settings.EMAIL_URL = "smtp+starttls://relance%40acme.example:s3cr%2Ft@smtp.acme.example:587"
    page = admin_client_ws.get(SETTINGS).content.decode()
    assert "smtp+starttls://relance@acme.example@smtp.acme.example:587" in page
    assert "s3cr" not in page and "password hidden" in page
    viewer_page = viewer_client.get(SETTINGS).content.decode()
    assert "smtp.acme.example" not in viewer_page and "Configured" in viewer_page


def test_an_invalid_email_url_is_explained(admin_client_ws, settings):
    settings.EMAIL_URL = "http://mail.acme.example"
    page = admin_client_ws.get(SETTINGS).content.decode()
    assert "EMAIL_URL is invalid" in page


def test_the_test_email_goes_through_the_configured_server(admin_client_ws, workspace, smtp_server, settings):
    settings.EMAIL_URL = smtp_server.url
    response = admin_client_ws.post(reverse("web:settings_test_email"), follow=True)
    assert response.status_code == 200
    assert "Test message sent to admin@acme.example" in response.content.decode()
    [message] = smtp_server.messages
    assert message["To"] == "admin@acme.example" and message["From"] == workspace.sender


def test_the_test_email_reports_a_refusal(admin_client_ws, smtp_server, settings):
    settings.EMAIL_URL = smtp_server.url
    smtp_server.reply("RCPT", "550 5.1.1 No such user here")
    response = admin_client_ws.post(reverse("web:settings_test_email"), follow=True)
    page = response.content.decode()
    assert "was not sent" in page and "550" in page


def test_the_test_email_without_email_url_says_so(admin_client_ws, settings):
    settings.EMAIL_URL = ""
    page = admin_client_ws.post(reverse("web:settings_test_email"), follow=True).content.decode()
    assert "was not sent" in page and "EMAIL_URL is not set" in page


def test_a_collector_cannot_send_the_test_email(collector_client, smtp_server, settings):
    settings.EMAIL_URL = smtp_server.url
    assert collector_client.post(reverse("web:settings_test_email")).status_code == 403
    assert smtp_server.messages == []


# --- API tokens -----------------------------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_stored_only_as_a_hash(admin_client_ws, workspace):
    response = admin_client_ws.post(TOKENS, {"name": "accounting export", "role": "viewer"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = re.search(r'id="token-secret" readonly value="(rl_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(workspace=workspace)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.role == "viewer" and token.created_by.username == "admin@acme.example"
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not any(secret in value for value in stored)
    listing = admin_client_ws.get(TOKENS).content.decode()
    assert "accounting export" in listing and token.prefix in listing and secret not in listing


def test_a_token_needs_a_name(admin_client_ws):
    response = admin_client_ws.post(TOKENS, {"name": "", "role": "viewer"})
    assert response.status_code == 400 and not ApiToken.objects.exists()


def test_revoking_a_token(admin_client_ws, workspace):
    issued = do_issue_token(workspace, "old script", "collector", None)
    response = admin_client_ws.post(reverse("web:settings_token_revoke", args=[issued.token.pk]))
    assert response.status_code == 302
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert "revoked" in admin_client_ws.get(TOKENS).content.decode()


def test_another_workspaces_token_is_neither_listed_nor_revocable(admin_client_ws, other_workspace):
    issued = do_issue_token(other_workspace, "globex robot", "admin", None)
    assert "globex robot" not in admin_client_ws.get(TOKENS).content.decode()
    url = reverse("web:settings_token_revoke", args=[issued.token.pk])
    assert admin_client_ws.post(url).status_code == 404
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_a_collector_cannot_revoke_a_token(collector_client, workspace):
    issued = do_issue_token(workspace, "robot", "collector", None)
    assert (
        collector_client.post(reverse("web:settings_token_revoke", args=[issued.token.pk])).status_code == 403
    )
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


# --- members ---------------------------------------------------------------------------------------------


def test_the_members_page_lists_this_workspaces_members_only(admin_client_ws, workspace, other_workspace):
    make_user("claire@acme.example", workspace, "collector")
    make_user("hank@globex.example", other_workspace, "admin")
    page = admin_client_ws.get(MEMBERS).content.decode()
    assert "claire@acme.example" in page and "admin@acme.example" in page
    assert "hank@globex.example" not in page


def test_adding_an_existing_user_keeps_their_password(admin_client_ws, workspace, other_workspace):
    hank = make_user("hank@globex.example", other_workspace, "admin")
    response = admin_client_ws.post(
        MEMBERS, {"email": "HANK@globex.example", "role": "viewer", "password": "x"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(workspace=workspace, user=hank).role == "viewer"
    hank.refresh_from_db()
    assert hank.check_password(PASSWORD)


def test_adding_someone_new_creates_them_with_a_temporary_password_shown_once(admin_client_ws, workspace):
    response = admin_client_ws.post(
        MEMBERS, {"email": "new@acme.example", "role": "collector", "password": ""}
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    password = re.search(
        r'id="temporary-password" readonly value="([^"]+)"', response.content.decode()
    ).group(1)
    user = User.objects.get(username="new@acme.example")
    assert user.check_password(password)
    assert Membership.objects.get(workspace=workspace, user=user).role == "collector"
    assert password not in admin_client_ws.get(MEMBERS).content.decode()
    client = Client()
    assert client.login(username="new@acme.example", password=password)


def test_adding_someone_already_in_the_workspace_is_refused(admin_client_ws, workspace):
    make_user("claire@acme.example", workspace, "viewer")
    response = admin_client_ws.post(MEMBERS, {"email": "claire@acme.example", "role": "admin"})
    assert response.status_code == 400 and "already a member" in response.content.decode()
    assert Membership.objects.get(user__username="claire@acme.example").role == "viewer"


def test_a_weak_temporary_password_is_refused(admin_client_ws):
    response = admin_client_ws.post(
        MEMBERS, {"email": "new@acme.example", "role": "viewer", "password": "123"}
    )
    assert response.status_code == 400 and not User.objects.filter(username="new@acme.example").exists()


def test_changing_a_members_role(admin_client_ws, workspace):
    claire = make_user("claire@acme.example", workspace, "viewer")
    membership = Membership.objects.get(user=claire)
    response = admin_client_ws.post(
        reverse("web:settings_member_role", args=[membership.pk]), {"role": "collector"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "collector"


def test_the_last_admin_can_be_neither_demoted_nor_removed(admin_client_ws, workspace):
    me = Membership.objects.get(workspace=workspace, role="admin")
    page = admin_client_ws.get(MEMBERS).content.decode()
    assert "last admin" in page
    response = admin_client_ws.post(
        reverse("web:settings_member_role", args=[me.pk]), {"role": "viewer"}, follow=True
    )
    assert "at least one admin" in response.content.decode()
    response = admin_client_ws.post(reverse("web:settings_member_remove", args=[me.pk]), follow=True)
    assert "at least one admin" in response.content.decode()
    me.refresh_from_db()
    assert me.role == "admin"


def test_with_a_second_admin_one_may_step_down(admin_client_ws, workspace):
    make_user("second@acme.example", workspace, "admin")
    me = Membership.objects.get(user__username="admin@acme.example")
    response = admin_client_ws.post(reverse("web:settings_member_remove", args=[me.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("web:dashboard")
    assert not Membership.objects.filter(pk=me.pk).exists()
    assert User.objects.filter(username="admin@acme.example").exists()  # the user stays


def test_removing_a_member(admin_client_ws, workspace):
    claire = make_user("claire@acme.example", workspace, "collector")
    membership = Membership.objects.get(user=claire)
    assert (
        admin_client_ws.post(reverse("web:settings_member_remove", args=[membership.pk])).status_code == 302
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_another_workspaces_members_cannot_be_changed(admin_client_ws, other_workspace):
    hank = make_user("hank@globex.example", other_workspace, "admin")
    membership = Membership.objects.get(user=hank)
    url = reverse("web:settings_member_role", args=[membership.pk])
    assert admin_client_ws.post(url, {"role": "viewer"}).status_code == 404
    assert (
        admin_client_ws.post(reverse("web:settings_member_remove", args=[membership.pk])).status_code == 404
    )
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_a_collector_cannot_manage_members(collector_client, workspace):
    claire = make_user("claire@acme.example", workspace, "viewer")
    membership = Membership.objects.get(user=claire)
    response = collector_client.post(
        reverse("web:settings_member_role", args=[membership.pk]), {"role": "admin"}
    )
    assert response.status_code == 403
    assert collector_client.post(MEMBERS, {"email": "x@acme.example", "role": "admin"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == "viewer" and not User.objects.filter(username="x@acme.example").exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, workspace):
    for url in (SETTINGS, TOKENS, MEMBERS):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(section_url("identity"), IDENTITY).status_code == 302
    assert Workspace.objects.get(pk=workspace.pk).sender == "Marie Dupont <marie@acme.example>"
