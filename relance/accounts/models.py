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
    legal_name = models.CharField(max_length=200, blank=True)
    legal_mentions = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.slug
