"""URLs of the invoices pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views.placeholder import placeholder

# PLACEHOLDER: replaced by the real invoices pages.
urlpatterns = [path("invoices/", placeholder, name="invoices")]
