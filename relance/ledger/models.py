"""The ledger: who owes what, since when, and what has been paid. Dates are business dates (no time)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from relance.accounts.models import Workspace

LANGUAGES = [("fr", "Français"), ("en", "English")]


class Customer(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="customers")
    external_id = models.CharField("customer id", max_length=100)
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    contact_name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=2, choices=LANGUAGES, default="fr")
    country = models.CharField(max_length=2, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    segment = models.CharField(max_length=100, blank=True)
    tags = models.JSONField(default=list, blank=True)
    pinned_policy = models.CharField(
        max_length=100, blank=True, help_text="Policy name that overrides matching"
    )
    excluded = models.BooleanField(default=False)
    excluded_reason = models.CharField(max_length=200, blank=True)
    undeliverable = models.BooleanField(default=False, help_text="The address hard-bounced: e-mail stops")
    # A complaint (marked as spam) stops e-mail for good; a reply pauses automation until a person resumes.
    complained = models.BooleanField(default=False)
    paused = models.BooleanField(default=False, help_text="Automation paused (a reply waits for a person)")
    # Courtesy reminders before the due date may be declined (RFC 8058 one-click); overdue ones may not.
    pre_due_opt_out = models.BooleanField(default=False, help_text="No courtesy reminder before a due date")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "external_id"], name="customer_key")]
        indexes = [models.Index(fields=["workspace", "segment"])]

    def __str__(self) -> str:
        return f"{self.external_id} {self.name}"


class Invoice(models.Model):
    OPEN, VOID = "open", "void"
    STATUSES = [(OPEN, "open"), (VOID, "void")]

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invoices")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(max_length=100)
    issue_date = models.DateField()
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=4, choices=STATUSES, default=OPEN)
    pdf_url = models.URLField(max_length=500, blank=True)
    payment_url = models.URLField(max_length=500, blank=True)
    # Derived from the payments, kept by relance.ledger.paid_off on every write of a payment, an amount or the
    # workspace's tolerance: the date the payments (in date order) first left at most the tolerance owed
    # (kpi.paid_date; None while owed), and the date of the first payment. The KPIs read them instead of
    # summing every invoice's payments day by day.
    paid_off_on = models.DateField(null=True, blank=True, editable=False)
    first_payment_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "number"], name="invoice_key")]
        indexes = [
            models.Index(fields=["workspace", "status", "due_date"]),
            # Covering indexes of the web pages' aggregates (what a customer owes, totals of a list): SQLite
            # reads them alone instead of jumping from an index to each table row.
            models.Index(fields=["customer", "status", "due_date", "amount"], name="invoice_customer_owed"),
            models.Index(
                fields=["workspace", "status", "due_date", "currency", "amount"], name="invoice_list_totals"
            ),
            # Covers the ledger KPIs (relance.tracking.dashboard: ageing, overdue over time, days late): the
            # invoices still owed on a day are two ranges of it (paid off later, or not yet), read without
            # the table and grouped in its order without sorting. The KPI queries name it (SQLite).
            models.Index(
                fields=[
                    "workspace",
                    "paid_off_on",
                    "status",
                    "issue_date",
                    "due_date",
                    "first_payment_on",
                    "currency",
                    "amount",
                ],
                name="invoice_paid_off",
            ),
            # The amounts invoiced by issue date (the countback DSO), in the index's order: no sort.
            models.Index(fields=["workspace", "issue_date", "status", "amount"], name="invoice_issued"),
        ]

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="payments")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="payments")
    date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reference = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invoice", "reference"], name="payment_key")]
        indexes = [
            models.Index(fields=["workspace", "date"]),
            # Covers the daily run's "paid so far" lookups without touching the table.
            models.Index(fields=["invoice", "date", "amount"], name="payment_invoice_date_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount}"


class Hold(models.Model):
    """Pauses the chase of one invoice on the days `start <= day < until` (until it is released)."""

    DISPUTE, PROMISE, OTHER = "dispute", "promise", "other"
    REASONS = [(DISPUTE, "dispute"), (PROMISE, "promise to pay"), (OTHER, "other")]

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="holds")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="holds")
    start = models.DateField()
    until = models.DateField()
    reason = models.CharField(max_length=10, choices=REASONS)
    note = models.TextField(blank=True)
    released_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "start"])]

    def __str__(self) -> str:
        return f"{self.invoice} {self.reason} {self.start}..{self.until}"


class CustomerNote(models.Model):
    """What a person wrote about a customer: a note, a logged call, a change of billing contact."""

    NOTE, CALL, CONTACT_CHANGE = "note", "call", "contact_change"
    KINDS = [(NOTE, "note"), (CALL, "call"), (CONTACT_CHANGE, "contact change")]

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="customer_notes")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=20, choices=KINDS, default=NOTE)
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A call may end with a promise to pay by this date (the invoices are then held until it).
    promise_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "created_at"], name="customer_note_time")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.customer_id}: {self.text[:40]}"


class ImportLog(models.Model):
    """One import that wrote to the ledger (dry runs and refused files leave no entry)."""

    CLI, WEB, API = "cli", "web", "api"
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(max_length=20)
    source = models.CharField(max_length=300, help_text="the file's name, or 'api'")
    via = models.CharField(max_length=3, choices=[(CLI, "command line"), (WEB, "web"), (API, "API")])
    by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["workspace", "-at"], name="importlog_recent")]

    def __str__(self) -> str:
        return f"{self.kind} from {self.source} at {self.at:%Y-%m-%d %H:%M}"
