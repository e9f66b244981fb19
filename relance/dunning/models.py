"""Dunning policies as loaded by users, runs, and tasks for people once e-mail has done what it can."""

from __future__ import annotations

from django.db import models

from relance.accounts.models import Workspace
from relance.ledger.models import Customer


class Policy(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="policies")
    name = models.CharField(max_length=100)
    # The validated definition (relance.engine.policy.policy_to_dict); beside it, the YAML the user wrote.
    definition = models.JSONField()
    source = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="policy_name")]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Run(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="runs")
    run_date = models.DateField()
    backfill = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    planned = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["workspace", "run_date"])]

    def __str__(self) -> str:
        return f"run of {self.run_date}"


class Task(models.Model):
    COLLECTION, BOUNCE, CALL, REPLY = "collection", "bounce", "call", "reply"
    KINDS = [
        (COLLECTION, "past the last stage"),
        (BOUNCE, "address undeliverable"),
        (CALL, "call"),
        (REPLY, "reply to answer"),
    ]
    OPEN, DONE = "open", "done"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tasks")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=12, choices=KINDS)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    due_date = models.DateField()
    status = models.CharField(max_length=4, choices=[(OPEN, "open"), (DONE, "done")], default=OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind"], condition=models.Q(status="open"), name="one_open_task_per_kind"
            )
        ]

    def __str__(self) -> str:
        return self.title
