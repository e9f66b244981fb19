"""URLs of the dashboard pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views.placeholder import placeholder

# PLACEHOLDER: replaced by the real dashboard pages.
urlpatterns = [path("", placeholder, name="dashboard")]
