"""Public tracking endpoints, included under /t/ by relance.urls."""

from __future__ import annotations

from django.urls import path

from relance.tracking import views

app_name = "tracking"
urlpatterns = [
    path("o/<str:token>.gif", views.open_pixel, name="open"),
    path("c/<str:token>", views.click, name="click"),
    path("u/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("r/<str:token>", views.contact, name="contact"),
]
