from django.contrib import admin

from relance.mail.models import Message, MessageItem


class MessageItemInline(admin.TabularInline):
    model = MessageItem
    extra = 0
    readonly_fields = ("invoice", "stage", "step_index", "outstanding")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("pk", "run_date", "status", "stage", "to", "subject", "total_due", "currency", "sent_at")
    list_filter = ("status", "stage", "language")
    search_fields = ("to", "subject", "customer__name", "customer__external_id", "message_id")
    date_hierarchy = "run_date"
    inlines = [MessageItemInline]
    readonly_fields = [f.name for f in Message._meta.fields]
