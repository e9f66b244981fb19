"""What comes back after a message leaves: one normalised event table, replies, attribution, experiments."""

from __future__ import annotations

from django.db import models

from relance.accounts.models import Workspace
from relance.ledger.models import Customer, Payment
from relance.mail.models import Message


class Event(models.Model):
    """Everything observed about a message, from any source, in one vocabulary (as django-anymail's)."""

    SENT, DELIVERED, DEFERRED, BOUNCED = "sent", "delivered", "deferred", "bounced"
    OPENED, CLICKED, REPLIED = "opened", "clicked", "replied"
    COMPLAINED, UNSUBSCRIBED = "complained", "unsubscribed"
    KINDS = [
        (k, k)
        for k in (SENT, DELIVERED, DEFERRED, BOUNCED, OPENED, CLICKED, REPLIED, COMPLAINED, UNSUBSCRIBED)
    ]
    HARD, SOFT = "hard", "soft"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="events")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=KINDS)
    occurred_at = models.DateTimeField()
    # Where it came from: smtp, pixel, redirect, unsubscribe, imap, smtpd, webhook:<provider>, demo.
    source = models.CharField(max_length=40)
    recipient = models.CharField(max_length=254, blank=True)
    url = models.URLField(max_length=2000, blank=True)  # clicked link
    bounce_kind = models.CharField(max_length=10, blank=True)  # hard | soft (bounced events)
    status_code = models.CharField(max_length=20, blank=True)  # SMTP / DSN status, e.g. 5.1.1
    reason = models.TextField(blank=True)
    # Provider's own event id, so that a webhook delivered twice is recorded once.
    external_id = models.CharField(max_length=200, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "kind", "occurred_at"]),
            models.Index(fields=["message", "kind"]),
            # The outcomes the KPIs count (relance.tracking.dashboard), without the sent / delivered events
            # that make most of the table.
            models.Index(
                fields=["message", "kind"],
                condition=models.Q(kind__in=["bounced", "opened", "clicked", "replied"]),
                name="event_outcome",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~models.Q(external_id=""), name="event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id} {self.occurred_at:%Y-%m-%d %H:%M}"


class Reply(models.Model):
    """A customer's answer, matched to the message it answers."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="replies")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    header_message_id = models.CharField(max_length=500, unique=True)  # the reply's own Message-ID
    from_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    received_at = models.DateTimeField()
    auto_reply = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"


class Attribution(models.Model):
    """A payment credited to the latest delivered reminder that preceded it (within the window)."""

    payment = models.OneToOneField(Payment, on_delete=models.CASCADE, related_name="attribution")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attributions")
    days_after = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"payment {self.payment_id} ← message {self.message_id} (+{self.days_after} d)"


class Experiment(models.Model):
    """An A/B test of subjects and/or templates on one stage of the workspace's policies."""

    DRAFT, RUNNING, STOPPED = "draft", "running", "stopped"
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="experiments")
    name = models.SlugField(max_length=100)
    stage = models.CharField(max_length=40)
    # [{"name": "A", "template": "first", "subject": 0},
    #  {"name": "B", "template": "first_short", "subject": 1}]
    variants = models.JSONField()
    status = models.CharField(
        max_length=10, default=RUNNING, choices=[(s, s) for s in (DRAFT, RUNNING, STOPPED)]
    )
    min_sample = models.PositiveIntegerField(default=100, help_text="messages per variant before any winner")
    auto_promote = models.BooleanField(default=False, help_text="Thompson sampling towards the best variant")
    winner = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="experiment_name")]

    def __str__(self) -> str:
        return self.name


class DataVersion(models.Model):
    """A random token per workspace and kind of data, replaced in the same transaction as every write that
    could change a figure computed from that data, by triggers in the database itself (migration 0002):
    the web pages memoize their figures under the tokens of the data they read (relance.tracking.versions).

    Kinds (`domain`): ledger (invoices, payments, the workspace's settings), outbox (messages written or
    cancelled, their items, customers, holds, policies), sent (which messages are sent, and what they are
    grouped by), engagement (events, replies, attributions). Not a foreign key: a workspace being deleted
    writes versions for the rows it takes with it."""

    LEDGER, OUTBOX, SENT, ENGAGEMENT = "ledger", "outbox", "sent", "engagement"

    workspace_id = models.BigIntegerField()
    domain = models.CharField(max_length=20)
    token = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace_id", "domain"], name="data_version_key")]

    def __str__(self) -> str:
        return f"{self.workspace_id} {self.domain} {self.token}"
