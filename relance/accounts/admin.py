from django.contrib import admin

from relance.accounts.models import ApiToken, Membership, Workspace


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "country", "timezone", "sender")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "workspace", "role", "created_at")
    list_filter = ("workspace", "role")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "workspace", "role", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest")
