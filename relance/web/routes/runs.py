"""URLs of the runs page (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views import runs

urlpatterns = [
    path("runs/", runs.run_list, name="runs"),
    path("runs/now/", runs.run_now, name="run_now"),
]
