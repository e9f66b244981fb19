"""URLs of the templates pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views.placeholder import placeholder

# PLACEHOLDER: replaced by the real templates pages.
urlpatterns = [path("templates/", placeholder, name="templates")]
