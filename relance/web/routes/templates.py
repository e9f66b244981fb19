"""URLs of the templates pages (names live in the "web" namespace).

A template is keyed as the store keys it: its name and its language (`first`, `fr`)."""

from django.urls import path

from relance.web.views import templates as views

KEY = "templates/<slug:name>/<slug:language>"

urlpatterns = [
    path("templates/", views.template_list, name="templates"),
    path("templates/lint-status/", views.template_lint_status, name="templates_lint_status"),
    path("templates/new/", views.template_new, name="template_new"),
    path("templates/customers/", views.template_customers, name="template_customers"),
    path(f"{KEY}/edit/", views.template_edit, name="template_edit"),
    path(f"{KEY}/lint/", views.template_lint, name="template_lint"),
    path(f"{KEY}/preview/", views.template_preview, name="template_preview"),
    path(f"{KEY}/versions/", views.template_versions_page, name="template_versions"),
    path(f"{KEY}/restore/", views.template_restore, name="template_restore"),
]
