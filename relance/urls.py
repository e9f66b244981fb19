from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# Importing the receivers connects them to anymail's tracking signal before any webhook is served.

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("relance.api.urls")),
    # Public links carried by reminders: /t/o/<token>.gif, /t/c/<token>, /t/u/<token>, /t/r/<token>.
    path("t/", include("relance.tracking.urls")),
    path("", include("relance.web.urls")),
]

# E-mail providers' delivery webhooks, only when they are protected (RELANCE_ANYMAIL_WEBHOOK_SECRET).
if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    urlpatterns.append(path("webhooks/anymail/", include("anymail.urls")))
