"""Dunning policies as loaded by users, runs, and tasks for people once e-mail has done what it can."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    """Work for a person: a call, a bounced address, a reply to answer, a case past the last stage.

    At most one open task per customer and kind; a person owns it, works it by its due date, and closes it
    with an outcome note (done_by, done_at)."""

    COLLECTION, BOUNCE, CALL, REPLY = "collection", "bounce", "call", "reply"
    KINDS = [
        (COLLECTION, _("past the last stage")),
        (BOUNCE, _("address undeliverable")),
        (CALL, _("call")),
        (REPLY, _("reply to answer")),
    ]
    OPEN, DONE = "open", "done"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tasks")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=12, choices=KINDS)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    due_date = models.DateField()
    status = models.CharField(max_length=4, choices=[(OPEN, _("open")), (DONE, _("done"))], default=OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    outcome = models.TextField(blank=True, help_text="What the person did, written when closing the task")
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind"], condition=models.Q(status="open"), name="one_open_task_per_kind"
            )
        ]
        # The task list: open (or done) tasks of a workspace by due date.
        indexes = [models.Index(fields=["workspace", "status", "due_date"], name="task_ws_status_due")]

    def __str__(self) -> str:
        return self.title
