"""URLs of the reports pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views.placeholder import placeholder

# PLACEHOLDER: replaced by the real reports pages.
urlpatterns = [path("reports/", placeholder, name="reports")]
