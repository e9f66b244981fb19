"""URLs of the policies pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views.placeholder import placeholder

# PLACEHOLDER: replaced by the real policies pages.
urlpatterns = [path("policies/", placeholder, name="policies")]
