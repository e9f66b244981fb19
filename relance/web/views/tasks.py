"""Tasks for people: calls to make, bounced addresses, replies to answer, cases past the last stage."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from relance.accounts.models import Membership, Role
from relance.dunning.actions_tasks_web import (
    OUTCOME_MAX,
    do_assign_task,
    do_complete_task,
    do_reopen_task,
    do_resume_from_task,
    do_set_task_due,
)
from relance.dunning.models import Task
from relance.engine.errors import InvalidInput
from relance.ledger.queries import workspace_today
from relance.tracking.models import Reply
from relance.web.access import require_role, scoped, workspace_of

PER_PAGE = 50
REPLIES_SHOWN = 5

OWNER_CHOICES = [
    ("anyone", gettext_lazy("Anyone")),
    ("me", gettext_lazy("Me")),
    ("unassigned", gettext_lazy("Unassigned")),
]
STATUS_CHOICES = [(Task.OPEN, gettext_lazy("Open")), (Task.DONE, gettext_lazy("Done"))]


class FilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=[("", gettext_lazy("All kinds")), *Task.KINDS]
    )
    owner = forms.ChoiceField(label=gettext_lazy("Owner"), required=False, choices=OWNER_CHOICES)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=STATUS_CHOICES)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)


class DueForm(forms.Form):
    due_date = forms.DateField(label=gettext_lazy("Due date"), widget=forms.DateInput(attrs={"type": "date"}))


class DoneForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("Outcome"),
        required=False,
        max_length=OUTCOME_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What was done or agreed: it stays on the task."),
    )


@require_role("viewer")
def task_list(request: HttpRequest) -> HttpResponse:
    workspace = workspace_of(request)
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    today = workspace_today(workspace, timezone.now())
    tasks = _filtered(Task.objects.filter(workspace=workspace), filters, request.user, today)
    tasks = tasks.select_related("customer", "owner", "done_by")
    page = Paginator(tasks, PER_PAGE).get_page(request.GET.get("page"))
    counts = dict(
        Task.objects.filter(workspace=workspace, status=Task.OPEN)
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    context = {
        "form": form,
        "page": page,
        "today": today,
        "kind_counts": [(kind, label, counts.get(kind, 0)) for kind, label in Task.KINDS],
        "status": filters.get("status") or Task.OPEN,
    }
    template = "web/tasks/_rows.html" if request.headers.get("HX-Request") else "web/tasks/list.html"
    return render(request, template, context)


def _filtered(tasks: QuerySet[Task], filters: dict[str, Any], user: Any, today: Any) -> QuerySet[Task]:
    status = filters.get("status") or Task.OPEN
    tasks = tasks.filter(status=status)
    if filters.get("kind"):
        tasks = tasks.filter(kind=filters["kind"])
    owner = filters.get("owner") or "anyone"
    if owner == "me":
        tasks = tasks.filter(owner=user)
    elif owner == "unassigned":
        tasks = tasks.filter(owner__isnull=True)
    if filters.get("overdue"):
        tasks = tasks.filter(status=Task.OPEN, due_date__lt=today)
    if status == Task.DONE:
        return tasks.order_by("-done_at", "-pk")
    return tasks.order_by("due_date", "pk")


def _members(request: HttpRequest) -> list[Any]:
    """People a task can go to: the workspace's collectors and admins."""
    memberships = Membership.objects.filter(
        workspace=workspace_of(request), role__in=(Role.COLLECTOR, Role.ADMIN)
    ).select_related("user")
    return sorted((m.user for m in memberships), key=lambda u: (u.email or u.username).lower())


@require_role("viewer")
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = scoped(request, Task, pk=pk)
    workspace = workspace_of(request)
    replies: list[Reply] = []
    if task.kind == Task.REPLY:
        replies = list(
            Reply.objects.filter(
                workspace=workspace, customer_id=task.customer_id, auto_reply=False
            ).order_by("-received_at", "-pk")[:REPLIES_SHOWN]
        )
    context = {
        "task": task,
        "replies": replies,
        "members": _members(request),
        "due_form": DueForm(initial={"due_date": task.due_date}),
        "done_form": DoneForm(),
        "today": workspace_today(workspace, timezone.now()),
        "back": _safe(request, request.GET.get("next", "")) or reverse("web:tasks"),
    }
    return render(request, "web/tasks/detail.html", context)


# --- actions ------------------------------------------------------------------------------------------------


def _safe(request: HttpRequest, target: str) -> str:
    """`target` when it is a page of this site, else ""."""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


def _back(request: HttpRequest, task: Task) -> HttpResponseRedirect:
    """To the page the person came from (a `next` of this site: the filtered list), else the task."""
    target = _safe(request, request.POST.get("next", ""))
    return HttpResponseRedirect(target) if target else redirect("web:task_detail", pk=task.pk)


@require_role("collector")
@require_POST
def task_assign(request: HttpRequest, pk: int) -> HttpResponse:
    task = scoped(request, Task, pk=pk)
    wanted = request.POST.get("owner", "")
    owner: Any = None
    if wanted == "me":
        owner = request.user
    elif wanted:
        owner = get_user_model().objects.filter(pk=int(wanted)).first() if wanted.isdigit() else None
        if owner is None:
            messages.error(request, _("Choose a member of this workspace."))
            return _back(request, task)
    try:
        task = do_assign_task(workspace_of(request), task.pk, owner)
    except InvalidInput:
        messages.error(
            request, _("This person cannot act in this workspace: choose a collector or an admin.")
        )
        return _back(request, task)
    if owner is None:
        messages.success(request, _("The task has no owner now."))
    else:
        who = owner.email or owner.get_username()
        messages.success(request, _("The task is assigned to %(who)s.") % {"who": who})
    return _back(request, task)


@require_role("collector")
@require_POST
def task_due(request: HttpRequest, pk: int) -> HttpResponse:
    task = scoped(request, Task, pk=pk)
    form = DueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid date."))
        return _back(request, task)
    do_set_task_due(workspace_of(request), task.pk, form.cleaned_data["due_date"])
    messages.success(request, _("Due date changed."))
    return _back(request, task)


@require_role("collector")
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = scoped(request, Task, pk=pk)
    form = DoneForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("The outcome note is too long (%(max)d characters at most).") % {"max": OUTCOME_MAX}
        )
        return _back(request, task)
    try:
        do_complete_task(
            workspace_of(request), task.pk, request.user, form.cleaned_data["outcome"], timezone.now()
        )
    except InvalidInput:
        messages.warning(request, _("This task was already done."))
        return _back(request, task)
    messages.success(request, _("Task done: %(title)s") % {"title": task.title})
    return _back(request, task)


@require_role("collector")
@require_POST
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    task = scoped(request, Task, pk=pk)
    try:
        do_reopen_task(workspace_of(request), task.pk)
    except InvalidInput:
        messages.error(
            request,
            _("This customer already has an open task of this kind, or this one is open: work that one."),
        )
        return _back(request, task)
    messages.success(request, _("Task reopened."))
    return _back(request, task)


@require_role("collector")
@require_POST
def task_resume(request: HttpRequest, pk: int) -> HttpResponse:
    task = scoped(request, Task, pk=pk)
    form = DoneForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    try:
        do_resume_from_task(workspace_of(request), task.pk, request.user, outcome, timezone.now())
    except InvalidInput:
        messages.error(request, _("Only an open reply task can resume the automation."))
        return _back(request, task)
    messages.success(
        request,
        _("Automation resumed for %(customer)s; the task is done.") % {"customer": task.customer.name},
    )
    return _back(request, task)
