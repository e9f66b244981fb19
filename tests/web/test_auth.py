"""Login, rate limiting, logout, password reset by e-mail, workspace choice and language."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from relance.accounts.models import LoginFailure, Workspace
from tests.web.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_pages_need_a_login(workspace: Workspace) -> None:
    response = Client().get(reverse("web:customers"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_login_with_email_and_password_opens_the_dashboard(workspace: Workspace) -> None:
    make_user("marie@acme.example", workspace, "collector")
    client = Client()
    response = client.post(reverse("web:login"), {"username": "Marie@Acme.example", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_wrong_password_says_so_without_telling_which_part_is_wrong(workspace: Workspace) -> None:
    make_user("marie@acme.example", workspace)
    response = Client().post(reverse("web:login"), {"username": "marie@acme.example", "password": "nope"})
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


@override_settings(LOGIN_MAX_FAILURES=3)
def test_login_is_locked_after_repeated_failures_even_with_the_right_password(workspace: Workspace) -> None:
    make_user("marie@acme.example", workspace)
    client = Client()
    for _ in range(3):
        client.post(reverse("web:login"), {"username": "marie@acme.example", "password": "wrong"})
    response = client.post(reverse("web:login"), {"username": "marie@acme.example", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_MAX_FAILURES=3)
def test_a_successful_login_clears_the_failure_count(workspace: Workspace) -> None:
    make_user("marie@acme.example", workspace)
    client = Client()
    for _ in range(2):
        client.post(reverse("web:login"), {"username": "marie@acme.example", "password": "wrong"})
    client.post(reverse("web:login"), {"username": "marie@acme.example", "password": PASSWORD})
    assert LoginFailure.objects.count() == 0


def test_logout_is_a_post_and_ends_the_session(workspace: Workspace) -> None:
    make_user("marie@acme.example", workspace)
    client = Client()
    client.login(username="marie@acme.example", password=PASSWORD)
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert client.get(reverse("web:customers")).status_code == 302


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_password_reset_sends_a_link_that_sets_a_new_password(workspace: Workspace) -> None:
    make_user("marie@acme.example", workspace)
    client = Client()
    response = client.post(reverse("web:password_reset"), {"email": "marie@acme.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link.group(1)
    new = "another-long-passphrase-7"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert Client().login(username="marie@acme.example", password=new)


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_password_reset_for_an_unknown_address_sends_nothing_and_looks_the_same(workspace: Workspace) -> None:
    response = Client().post(reverse("web:password_reset"), {"email": "nobody@acme.example"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_a_user_without_workspace_is_told_how_to_get_one(workspace: Workspace) -> None:
    make_user("lost@acme.example")
    client = Client()
    client.login(username="lost@acme.example", password=PASSWORD)
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 403
    assert "relance user add" in response.content.decode()


def test_switching_workspace_only_to_one_the_user_belongs_to(
    workspace: Workspace, other_workspace: Workspace
) -> None:
    user = make_user("marie@acme.example", workspace, "admin")
    third = Workspace.objects.create(slug="initech", name="Initech", sender="Bill <bill@initech.example>")
    client = Client()
    client.force_login(user)
    assert client.get(reverse("web:dashboard")).context["current_workspace"] == workspace
    client.post(reverse("web:switch_workspace"), {"workspace": third.pk})
    assert client.get(reverse("web:dashboard")).context["current_workspace"] == workspace
    from relance.accounts.models import Membership

    Membership.objects.create(user=user, workspace=other_workspace, role="viewer")
    client.post(reverse("web:switch_workspace"), {"workspace": other_workspace.pk})
    response = client.get(reverse("web:dashboard"))
    assert response.context["current_workspace"] == other_workspace
    assert response.context["current_role"] == "viewer"


def test_choosing_french_translates_the_pages(workspace: Workspace) -> None:
    user = make_user("marie@acme.example", workspace)
    client = Client()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    html = client.get(reverse("web:dashboard")).content.decode()
    assert 'lang="fr"' in html
    assert "Clients" in html and "Tableau de bord" in html
