"""Workspaces: one installation, several creditor companies. Every domain row belongs to one."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class Workspace(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, default="FR", help_text="ISO 3166 code: public holidays")
    timezone = models.CharField(max_length=64, default="Europe/Paris")
    sender = models.CharField(max_length=254, help_text='"Marie Dupont <marie@acme.example>": a real person')
    reply_to = models.CharField(max_length=254, blank=True)
    sending_window = models.CharField(max_length=11, default="09:00-17:00")
    # An outstanding amount at or below this is treated as settled (rounding differences, bank fees).
    tolerance = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    sender_title = models.CharField(max_length=100, blank=True)
    sender_phone = models.CharField(max_length=40, blank=True)
    legal_name = models.CharField(max_length=200, blank=True)
    company_address = models.CharField(max_length=300, blank=True)
    company_registration = models.CharField(max_length=100, blank=True, help_text="SIREN/SIRET, VAT number")
    legal_mentions = models.TextField(blank=True)
    payment_page_url = models.URLField(max_length=500, blank=True, help_text="Where customers pay online")
    tracking_enabled = models.BooleanField(default=True, help_text="Open pixel and click redirects")
    # Payments within this many days after a delivered reminder are credited to it.
    attribution_days = models.PositiveSmallIntegerField(default=14)
    # Days given in a final notice before the case goes to collection.
    final_notice_days = models.PositiveSmallIntegerField(default=8)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.slug
