"""The settings pages: the workspace's sections (everyone reads them, admins change them), how mail leaves,
API tokens and members (admins only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relance.accounts.models import ApiToken, Membership, Role
from relance.accounts.people import do_issue_token, do_revoke_token
from relance.accounts.settings_actions import (
    SettingsInvalid,
    do_add_member,
    do_change_role,
    do_remove_member,
    do_send_test_email,
    do_update_settings,
)
from relance.engine.errors import InvalidInput
from relance.web.access import can, require_role, scoped, workspace_of
from relance.web.forms.settings import (
    ROLE_LABELS,
    SECTION_FORMS,
    MemberForm,
    RoleForm,
    SectionForm,
    TokenForm,
)


def _sending() -> dict[str, Any]:
    """How mail leaves: the EMAIL_URL as its parts, without the password (it is an environment variable)."""
    from relance.mail.transport import SMTPConfig

    url = django_settings.EMAIL_URL
    if not url:
        return {"configured": False}
    try:
        config = SMTPConfig.from_url(url)
    except ValueError as exc:  # the message never quotes the password
        return {"configured": True, "error": str(exc)}
    return {
        "configured": True,
        "display": str(config),
        "has_password": bool(config.password),
        "security": config.security,
    }


def _settings_page(
    request: HttpRequest, bound: SectionForm | None = None, status: int = 200, error: str = ""
) -> HttpResponse:
    workspace = workspace_of(request)
    forms = [
        bound if bound is not None and bound.section == section else form.for_workspace(workspace)
        for section, form in SECTION_FORMS.items()
    ]
    if not can(request, Role.ADMIN):  # read only: the server refuses their POST anyway
        for form in forms:
            for field in form.fields.values():
                field.disabled = True
    context = {
        "forms": forms,
        "bound_section": bound.section if bound is not None else "",
        "section_error": error,
        "sending": _sending(),
        "me": _address(request),
    }
    return render(request, "web/settings/index.html", context, status=status)


@require_GET
@require_role(Role.VIEWER)
def settings_page(request: HttpRequest) -> HttpResponse:
    """Every section; viewers and collectors read them, only admins get the forms' buttons."""
    return _settings_page(request)


@require_POST
@require_role(Role.ADMIN)
def settings_section(request: HttpRequest, section: str) -> HttpResponse:
    """Save one section: every value is checked, errors name their field, and nothing is written on error."""
    workspace = workspace_of(request)
    form_class = SECTION_FORMS.get(section)
    if form_class is None:
        return HttpResponse(status=404)
    form = form_class.for_workspace(workspace, request.POST)
    if not form.is_valid():
        return _settings_page(request, form, 400)
    try:
        changed = do_update_settings(workspace, section, form.values())
    except SettingsInvalid as exc:
        for field, message in exc.errors.items():
            form.add_error(field, message)
        return _settings_page(request, form, 400)
    except InvalidInput as exc:
        return _settings_page(request, form, 400, str(exc))
    if changed:
        messages.success(request, _("%(section)s saved.") % {"section": form.title})
    else:
        messages.info(request, _("%(section)s: nothing changed.") % {"section": form.title})
    return redirect(f"{_settings_url()}#{section}")


def _settings_url() -> str:
    return reverse("web:settings")


@require_POST
@require_role(Role.ADMIN)
def settings_test_email(request: HttpRequest) -> HttpResponse:
    """Send a short message to the admin through the configured transport and say what happened."""
    workspace = workspace_of(request)
    to = _address(request)
    subject = _("Relance: test message from %(workspace)s") % {"workspace": workspace.name}
    text = _(
        "This message checks that Relance can send e-mail for %(workspace)s.\n\n"
        "It went out from %(sender)s through the server of EMAIL_URL. Reminders will go out the same way."
    ) % {"workspace": workspace.name, "sender": workspace.sender}
    try:
        sent = do_send_test_email(
            workspace, to, timezone.now(), subject, text, language=(get_language() or "en")[:2]
        )
    except InvalidInput as exc:
        messages.error(request, _("The test message was not sent: %(reason)s") % {"reason": exc})
    else:
        messages.success(
            request,
            _("Test message sent to %(to)s through %(transport)s. Check the inbox (and the spam folder).")
            % {"to": sent.to, "transport": sent.transport},
        )
    return redirect(f"{_settings_url()}#sending")


# --- API tokens -------------------------------------------------------------------------------------------


def _tokens_page(request: HttpRequest, form: TokenForm, status: int = 200, **extra: Any) -> HttpResponse:
    workspace = workspace_of(request)
    tokens = (
        ApiToken.objects.filter(workspace=workspace)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at")
    )
    context = {"tokens": tokens, "form": form, "role_labels": ROLE_LABELS, **extra}
    response = render(request, "web/settings/tokens.html", context, status=status)
    if extra.get("issued"):
        response["Cache-Control"] = "no-store"  # the secret is on this page only
    return response


@require_http_methods(["GET", "POST"])
@require_role(Role.ADMIN)
def settings_tokens(request: HttpRequest) -> HttpResponse:
    """GET: the workspace's API tokens. POST: a new token, whose secret this one response shows."""
    if request.method == "GET":
        return _tokens_page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form, 400)
    try:
        issued = do_issue_token(
            workspace_of(request), form.cleaned_data["name"], form.cleaned_data["role"], _user(request)
        )
    except InvalidInput as exc:
        form.add_error("name", str(exc))
        return _tokens_page(request, form, 400)
    return _tokens_page(request, TokenForm(), issued=issued)


@require_POST
@require_role(Role.ADMIN)
def settings_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = scoped(request, ApiToken, pk=pk)
    do_revoke_token(token, timezone.now())
    messages.success(
        request, _("Token “%(name)s” revoked: it no longer opens the API.") % {"name": token.name}
    )
    return redirect("web:settings_tokens")


def _address(request: HttpRequest) -> str:
    """The signed-in user's e-mail address (logins are e-mail addresses)."""
    return str(getattr(request.user, "email", "") or request.user.get_username())


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


# --- members ----------------------------------------------------------------------------------------------


def _members_page(request: HttpRequest, form: MemberForm, status: int = 200, **extra: Any) -> HttpResponse:
    workspace = workspace_of(request)
    members = Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__username")
    admins = sum(1 for member in members if member.role == Role.ADMIN)
    context = {
        "members": members,
        "form": form,
        "role_form": RoleForm(),
        "role_labels": ROLE_LABELS,
        "admins": admins,
        **extra,
    }
    response = render(request, "web/settings/members.html", context, status=status)
    if extra.get("password"):
        response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@require_role(Role.ADMIN)
def settings_members(request: HttpRequest) -> HttpResponse:
    """GET: who belongs to the workspace, with their roles. POST: add someone (an existing user by e-mail,
    or a new one with a temporary password, shown once)."""
    if request.method == "GET":
        return _members_page(request, MemberForm())
    form = MemberForm(request.POST)
    if not form.is_valid():
        return _members_page(request, form, 400)
    data = form.cleaned_data
    try:
        added = do_add_member(workspace_of(request), data["email"], data["role"], data["password"])
    except InvalidInput as exc:
        field = "password" if str(exc).startswith("password") else "email"
        form.add_error(field, str(exc))
        return _members_page(request, form, 400)
    email = added.membership.user.email or added.membership.user.get_username()
    if added.password:
        return _members_page(request, MemberForm(), added=added, password=added.password, added_email=email)
    if added.created:
        messages.success(request, _("%(email)s created with the password you gave.") % {"email": email})
    else:
        messages.success(request, _("%(email)s added to the workspace.") % {"email": email})
    return redirect("web:settings_members")


@require_POST
@require_role(Role.ADMIN)
def settings_member_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = scoped(request, Membership, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role: viewer, collector or admin."))
        return redirect("web:settings_members")
    try:
        changed = do_change_role(workspace_of(request), membership, form.cleaned_data["role"])
    except InvalidInput as exc:
        messages.error(request, str(exc))
        return redirect("web:settings_members")
    if changed:
        messages.success(
            request,
            _("%(email)s is now %(role)s.")
            % {"email": membership.user.get_username(), "role": ROLE_LABELS[Role(membership.role)]},
        )
    return redirect("web:settings_members")


@require_POST
@require_role(Role.ADMIN)
def settings_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = scoped(request, Membership, pk=pk)
    email = membership.user.get_username()
    try:
        do_remove_member(workspace_of(request), membership)
    except InvalidInput as exc:
        messages.error(request, str(exc))
        return redirect("web:settings_members")
    messages.success(request, _("%(email)s no longer belongs to this workspace.") % {"email": email})
    if membership.user_id == request.user.pk and not request.user.is_superuser:
        return redirect("web:dashboard")
    return redirect("web:settings_members")
