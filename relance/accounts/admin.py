from django.contrib import admin

from relance.accounts.models import Workspace


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "country", "timezone", "sender")
