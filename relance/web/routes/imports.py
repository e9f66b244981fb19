"""URLs of the imports pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views.placeholder import placeholder

# PLACEHOLDER: replaced by the real imports pages.
urlpatterns = [path("imports/", placeholder, name="imports")]
