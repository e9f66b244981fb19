"""URLs of the approvals pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views.placeholder import placeholder

# PLACEHOLDER: replaced by the real approvals pages.
urlpatterns = [path("approvals/", placeholder, name="approvals")]
