"""URLs of the experiments pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views.placeholder import placeholder

# PLACEHOLDER: replaced by the real experiments pages.
urlpatterns = [path("experiments/", placeholder, name="experiments")]
