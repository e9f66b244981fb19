"""Login (rate-limited), logout, password reset, and choosing the workspace."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from relance.web.login_limit import clear_failures, client_address, is_locked, record_failure
from relance.web.middleware import SESSION_KEY, available


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("E-mail"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("This e-mail and password do not match an account."),
        "locked": _("Too many failed attempts. Wait a few minutes, then try again."),
    }

    def clean_username(self) -> str:
        # Logins are e-mail addresses, stored in lowercase.
        return str(self.cleaned_data.get("username") or "").strip().lower()

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        address = client_address(self.request.META if self.request else {})
        now = timezone.now()
        if is_locked(username, address, now):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            record_failure(username, address, now)
            raise
        clear_failures(username, address)
        return cleaned


class LoginView(auth_views.LoginView):
    template_name = "web/auth/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "web/auth/password_reset.html"
    email_template_name = "web/auth/password_reset_email.txt"
    subject_template_name = "web/auth/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/auth/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/auth/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/auth/password_reset_complete.html"


@require_POST
def switch_workspace(request: HttpRequest) -> HttpResponse:
    """Make another of the user's workspaces the current one (unknown ids are ignored)."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("web:login"))
    wanted = request.POST.get("workspace", "")
    for workspace, _role in available(request.user):
        if str(workspace.pk) == wanted:
            request.session[SESSION_KEY] = workspace.pk
            break
    # To the dashboard, not back: the page the user was on belongs to the other workspace.
    return HttpResponseRedirect(reverse("web:dashboard"))
