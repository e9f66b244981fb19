"""URLs of the settings pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views import settings as views

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/test-email/", views.settings_test_email, name="settings_test_email"),
    path("settings/tokens/", views.settings_tokens, name="settings_tokens"),
    path("settings/tokens/<int:pk>/revoke/", views.settings_token_revoke, name="settings_token_revoke"),
    path("settings/members/", views.settings_members, name="settings_members"),
    path("settings/members/<int:pk>/role/", views.settings_member_role, name="settings_member_role"),
    path("settings/members/<int:pk>/remove/", views.settings_member_remove, name="settings_member_remove"),
    path("settings/<slug:section>/", views.settings_section, name="settings_section"),
]
