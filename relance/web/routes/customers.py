"""URLs of the customers pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views.placeholder import placeholder

# PLACEHOLDER: replaced by the real customers pages.
urlpatterns = [path("customers/", placeholder, name="customers")]
