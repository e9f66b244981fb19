"""URLs of the messages pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views.placeholder import placeholder

# PLACEHOLDER: replaced by the real messages pages.
urlpatterns = [path("messages/", placeholder, name="messages")]
