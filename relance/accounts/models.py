"""Workspaces: one installation, several creditor companies. Every domain row belongs to one."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class Role(models.TextChoices):
    """What a person may do in one workspace; each role includes the ones below it."""

    ADMIN = "admin", _("Admin")
    COLLECTOR = "collector", _("Collector")
    VIEWER = "viewer", _("Viewer")


ROLE_RANK = {Role.VIEWER: 0, Role.COLLECTOR: 1, Role.ADMIN: 2}


def role_allows(role: str | None, needed: str) -> bool:
    return role is not None and ROLE_RANK[Role(role)] >= ROLE_RANK[Role(needed)]


class Membership(models.Model):
    """A user's role in one workspace; a user may belong to several."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="membership_key")]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"


class ApiToken(models.Model):
    """A REST API credential scoped to one workspace. Only a hash of the secret is kept."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.COLLECTOR)
    # The first characters of the token, shown in lists so that people can tell tokens apart.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginFailure(models.Model):
    """A failed login, counted per account and per client address to slow down password guessing."""

    username = models.CharField(max_length=254, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M}"
