from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models

from relance.ledger.models import Customer, Hold, Invoice, Payment


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "external_id",
        "name",
        "email",
        "language",
        "segment",
        "excluded",
        "undeliverable",
        "workspace",
    ]
    list_filter = ["workspace", "language", "excluded", "undeliverable", "segment", "country"]
    search_fields = ["external_id", "name", "email", "contact_name"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["external_id"]


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ["date", "amount", "reference"]


class HoldInline(admin.TabularInline):
    model = Hold
    extra = 0
    fields = ["start", "until", "reason", "released_on", "note"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "customer", "issue_date", "due_date", "amount", "currency", "status"]
    list_filter = ["workspace", "status", "currency", "due_date"]
    search_fields = ["number", "customer__external_id", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    # Django 6 makes https the default scheme of typed URLs; say so now (and silence its warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    date_hierarchy = "due_date"
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PaymentInline, HoldInline]
    ordering = ["-due_date", "number"]

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        """Payments and holds added inline belong to the invoice's workspace."""
        for obj in formset.save(commit=False):
            obj.workspace_id = form.instance.workspace_id
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["reference", "invoice", "date", "amount", "workspace"]
    list_filter = ["workspace", "date"]
    search_fields = ["reference", "invoice__number", "invoice__customer__external_id"]
    list_select_related = ["invoice"]
    autocomplete_fields = ["invoice"]
    date_hierarchy = "date"
    ordering = ["-date"]


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ["invoice", "reason", "start", "until", "released_on", "workspace"]
    list_filter = ["workspace", "reason", "released_on"]
    search_fields = ["invoice__number", "invoice__customer__external_id", "note"]
    list_select_related = ["invoice"]
    autocomplete_fields = ["invoice"]
    ordering = ["-start"]
