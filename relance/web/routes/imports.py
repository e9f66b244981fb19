"""URLs of the imports pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views import imports

urlpatterns = [
    path("imports/", imports.import_list, name="imports"),
    path("imports/upload/", imports.import_upload, name="import_upload"),
    path("imports/<str:token>/", imports.import_report, name="import_report"),
    path("imports/<str:token>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<str:token>/discard/", imports.import_discard, name="import_discard"),
]
