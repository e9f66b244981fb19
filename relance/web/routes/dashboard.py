"""URLs of the dashboard (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views import dashboard

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("dashboard/kpis/", dashboard.dashboard_kpis, name="dashboard_kpis"),
    path("dashboard/overdue/", dashboard.dashboard_overdue, name="dashboard_overdue"),
    path("dashboard/funnel/", dashboard.dashboard_funnel, name="dashboard_funnel"),
    path("dashboard/next-run/", dashboard.dashboard_next_run, name="dashboard_next_run"),
]
