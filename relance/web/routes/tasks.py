"""URLs of the tasks pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views.placeholder import placeholder

# PLACEHOLDER: replaced by the real tasks pages.
urlpatterns = [path("tasks/", placeholder, name="tasks")]
