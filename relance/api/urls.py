"""The REST API under /api/ (interactive docs at /api/docs)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
