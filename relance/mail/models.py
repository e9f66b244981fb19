"""The durable outbox. A message is written here, in full, before any SMTP transaction is attempted."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from relance.accounts.models import Workspace
from relance.ledger.models import Customer, Invoice


class Message(models.Model):
    QUEUED, AWAITING_APPROVAL, SENDING = "queued", "awaiting_approval", "sending"
    SENT, FAILED, CANCELLED = "sent", "failed", "cancelled"
    STATUSES = [(s, s) for s in (QUEUED, AWAITING_APPROVAL, SENDING, SENT, FAILED, CANCELLED)]

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="messages")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="messages")
    run_date = models.DateField()
    stage = models.CharField(max_length=40)
    policy_name = models.CharField(max_length=100)
    policy_version = models.PositiveIntegerField()
    template_name = models.CharField(max_length=100)
    template_version = models.CharField(max_length=64)
    language = models.CharField(max_length=2)
    from_email = models.CharField(max_length=254)
    reply_to = models.CharField(max_length=254, blank=True)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField()
    total_due = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=STATUSES, default=QUEUED)
    message_id = models.CharField(max_length=254, unique=True)
    not_before = models.DateTimeField(null=True, blank=True)
    experiment = models.ForeignKey(
        "tracking.Experiment", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    variant = models.CharField(max_length=40, blank=True)
    # Set when a sender claims the message: several workers never send the same one.
    lease = models.CharField(max_length=32, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Who approved a message that waited for approval, and who edited it first (web approval queue).
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # At most one live message per customer per run date: re-running a day adds nothing.
            models.UniqueConstraint(
                fields=["customer", "run_date"],
                condition=~models.Q(status="cancelled"),
                name="one_message_per_customer_per_day",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "not_before"]),
            models.Index(fields=["workspace", "run_date"]),
            models.Index(fields=["customer", "run_date"]),
            # Covers the KPIs' reads of messages (relance.tracking.dashboard), the daily run's history
            # (relance.dunning.snapshot) and the data versions' triggers (relance.tracking.versions), which
            # name it: the rows carry the text and HTML bodies, which SQLite would read for any column. It
            # starts with the id so that events, replies, attributions and items find their message in it,
            # and a period's messages are a range of ids.
            models.Index(
                fields=[
                    "id",
                    "workspace",
                    "status",
                    "run_date",
                    "stage",
                    "template_name",
                    "variant",
                    "customer",
                ],
                name="message_kpis",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.stage} → {self.to}"


class MessageItem(models.Model):
    """One invoice in a message, at the step it reached. The stages an invoice has reached come from here."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="items")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="message_items")
    stage = models.CharField(max_length=40)
    step_index = models.PositiveSmallIntegerField()
    outstanding = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        # Rows of cancelled messages are deleted, so a stage is reached at most once per invoice.
        constraints = [models.UniqueConstraint(fields=["invoice", "stage"], name="invoice_stage_once")]
        # Covers the daily run's "stages reached" lookups.
        indexes = [models.Index(fields=["invoice", "message", "stage"], name="item_invoice_message_stage")]

    def __str__(self) -> str:
        return f"{self.invoice_id} at {self.stage}"


class TemplateVersion(models.Model):
    """One saved version of a workspace's own template. The latest version of (workspace, name, language)
    is the live one; it wins over the RELANCE_TEMPLATES_DIR folder and the built-ins. Never edited: a change
    is a new version, so a message's template_version (the sha) always names what it was rendered from."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="template_versions")
    name = models.CharField(max_length=100)
    language = models.CharField(max_length=2)
    version = models.PositiveIntegerField()
    source = models.TextField(help_text="The whole template file: YAML front matter, then the Markdown body")
    # sha256 of the UTF-8 bytes, first 12 hex digits: the same as a rendered message's template_version.
    sha = models.CharField(max_length=12)
    stage = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lint_score = models.PositiveSmallIntegerField(null=True, blank=True)

    # Set by do_save_template on the instance it returns: False when the source was already the live one.
    was_created: bool = False

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name", "language", "version"], name="template_version_once"
            )
        ]
        ordering = ["name", "language", "-version"]

    def __str__(self) -> str:
        return f"{self.name}.{self.language} v{self.version}"
