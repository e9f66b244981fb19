"""URLs of the settings pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views.placeholder import placeholder

# PLACEHOLDER: replaced by the real settings pages.
urlpatterns = [path("settings/", placeholder, name="settings")]
