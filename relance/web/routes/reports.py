"""URLs of the reports pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views import reports

urlpatterns = [
    path("reports/", reports.reports, name="reports"),
    path("reports/export.csv", reports.reports_csv, name="reports_csv"),
]
