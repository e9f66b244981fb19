"""The web application. Each area has its own routes module; every name lives in the "web" namespace."""

from django.urls import include, path

from relance.web.views import auth

app_name = "web"

AREAS = (
    "dashboard",
    "customers",
    "invoices",
    "messages",
    "approvals",
    "tasks",
    "templates",
    "policies",
    "experiments",
    "reports",
    "imports",
    "runs",
    "settings",
)

urlpatterns = [
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("workspace/switch/", auth.switch_workspace, name="switch_workspace"),
    *[path("", include(f"relance.web.routes.{area}")) for area in AREAS],
]
