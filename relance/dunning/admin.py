from django.contrib import admin

from relance.dunning.models import Policy, Run, Task


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "workspace", "version", "updated_at")
    readonly_fields = ("definition", "version")


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ("run_date", "workspace", "backfill", "planned", "cancelled", "finished_at")
    list_filter = ("backfill",)


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "due_date", "customer")
    list_filter = ("kind", "status")
    search_fields = ("title", "customer__name", "customer__external_id")
