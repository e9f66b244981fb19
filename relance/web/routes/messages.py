"""URLs of the messages pages, the outbox (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views import messages as views

urlpatterns = [
    path("messages/", views.message_list, name="messages"),
    path("messages/<int:pk>/", views.message_detail, name="message_detail"),
    path("messages/<int:pk>/preview/", views.message_preview, name="message_preview"),
]
