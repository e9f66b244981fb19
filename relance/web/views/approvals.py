"""The approval queue: messages a policy step holds for a person, approved, edited or skipped here."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from relance.engine.errors import InvalidInput
from relance.engine.lint import LintReport
from relance.mail.approvals import (
    SUBJECT_MAX,
    BatchResult,
    Delivery,
    deliver_approved,
    do_approve_many,
    do_edit_and_approve,
    do_skip_many,
    html_from_text,
    lint_message,
)
from relance.mail.models import Message
from relance.mail.outbox import invoice_numbers
from relance.web.access import require_role, scoped, workspace_of

PER_PAGE = 50


def _queue(request: HttpRequest) -> Any:
    return Message.objects.filter(workspace=workspace_of(request), status=Message.AWAITING_APPROVAL)


@require_role("viewer")
def approval_list(request: HttpRequest) -> HttpResponse:
    queue = _queue(request)
    rows = queue.select_related("customer").defer("html_body").order_by("run_date", "pk")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    numbers = invoice_numbers(list(page.object_list))
    for message in page.object_list:
        message.invoice_list = numbers.get(message.pk, [])
    context = {"page": page, "total": page.paginator.count}
    return render(request, "web/approvals/list.html", context)


# --- approve / skip -----------------------------------------------------------------------------------------


def _back(request: HttpRequest) -> HttpResponseRedirect:
    """To the queue page the person came from (a `next` of this site only), else the queue."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return HttpResponseRedirect(target)
    return redirect("web:approvals")


def _ids(request: HttpRequest) -> list[int]:
    return [int(value) for value in request.POST.getlist("ids") if value.isdigit()]


@require_role("collector")
@require_POST
def approval_approve(request: HttpRequest, pk: int) -> HttpResponse:
    scoped(request, Message, pk=pk)
    return _approve(request, [pk])


@require_role("collector")
@require_POST
def approval_skip(request: HttpRequest, pk: int) -> HttpResponse:
    scoped(request, Message, pk=pk)
    return _skip(request, [pk])


@require_role("collector")
@require_POST
def approval_bulk(request: HttpRequest) -> HttpResponse:
    ids = _ids(request)
    action = request.POST.get("action")
    if not ids:
        messages.error(request, _("Select at least one message."))
        return _back(request)
    if action == "approve":
        return _approve(request, ids)
    if action == "skip":
        return _skip(request, ids)
    messages.error(request, _("Choose to approve or to skip the selected messages."))
    return _back(request)


@require_role("collector")
def approval_approve_all(request: HttpRequest) -> HttpResponse:
    """GET: the confirmation (how many, up to which message); POST: approve those, not newer arrivals."""
    queue = _queue(request)
    if request.method == "POST":
        up_to = request.POST.get("up_to", "")
        if not up_to.isdigit():
            messages.error(request, _("Nothing to approve."))
            return redirect("web:approvals")
        ids = list(queue.filter(pk__lte=int(up_to)).order_by("pk").values_list("pk", flat=True))
        if not ids:
            messages.info(request, _("No message waits for approval any more."))
            return redirect("web:approvals")
        return _approve(request, ids)
    last = queue.aggregate(last=Max("pk"))["last"]
    context = {"count": queue.count(), "up_to": last}
    return render(request, "web/approvals/approve_all.html", context)


def _approve(request: HttpRequest, ids: list[int]) -> HttpResponse:
    now = timezone.now()
    result = do_approve_many(workspace_of(request), ids, request.user, now)
    deliveries = deliver_approved(workspace_of(request), result.done, now) if result.done else []
    if request.headers.get("HX-Request") and len(ids) == 1:
        return _row_result(request, ids[0], result, deliveries, approved=True)
    _report(request, result, deliveries, approved=True)
    return _back(request)


def _skip(request: HttpRequest, ids: list[int]) -> HttpResponse:
    result = do_skip_many(workspace_of(request), ids, request.user, timezone.now())
    if request.headers.get("HX-Request") and len(ids) == 1:
        return _row_result(request, ids[0], result, [], approved=False)
    _report(request, result, [], approved=False)
    return _back(request)


def _row_result(
    request: HttpRequest, pk: int, result: BatchResult, deliveries: list[Delivery], approved: bool
) -> HttpResponse:
    """The table row of a message acted on through htmx: what happened to it, in place of its buttons."""
    if result.refused:
        text, tone = _refused_text(result.refused), "warn"
    elif approved:
        text, tone = describe(deliveries[0]) if deliveries else _("Approved."), "ok"
    else:
        text, tone = _("Skipped: it will not be sent."), "muted"
    return render(request, "web/approvals/_row_result.html", {"pk": pk, "text": text, "tone": tone})


def _report(request: HttpRequest, result: BatchResult, deliveries: list[Delivery], approved: bool) -> None:
    if result.done:
        count = len(result.done)
        if approved:
            text = ngettext("%(count)d message approved.", "%(count)d messages approved.", count)
        else:
            text = ngettext(
                "%(count)d message skipped: it will not be sent.",
                "%(count)d messages skipped: they will not be sent.",
                count,
            )
        messages.success(request, text % {"count": count})
    for line, level in delivery_lines(deliveries):
        messages.add_message(request, level, line)
    if result.refused:
        messages.warning(request, _refused_text(result.refused))


def _refused_text(refused: dict[int, str]) -> str:
    count = len(refused)
    ids = ", ".join(f"#{pk}" for pk in sorted(refused)[:10]) + ("…" if count > 10 else "")
    text = ngettext(
        "%(count)d message was left alone (%(ids)s): it no longer waits for approval.",
        "%(count)d messages were left alone (%(ids)s): they no longer wait for approval.",
        count,
    )
    return text % {"count": count, "ids": ids}


def describe(delivery: Delivery) -> str:
    """What became of one approved message, for a person."""
    if delivery.status == Message.SENT:
        return _("Approved and sent.")
    if delivery.not_before is not None:
        when = formats.date_format(timezone.localtime(delivery.not_before), "SHORT_DATETIME_FORMAT")
        return _("Approved; it goes out when the sending window opens (%(when)s).") % {"when": when}
    if delivery.status == Message.SENDING:
        return _("Approved; it is being sent.")
    if delivery.status == Message.CANCELLED:
        return _("Approved, then cancelled before sending: %(why)s") % {"why": delivery.reason}
    if delivery.status == Message.FAILED:
        return _("Approved, but sending failed: %(why)s") % {"why": delivery.reason}
    if delivery.reason:
        return _("Approved, but not sent yet: %(why)s") % {"why": delivery.reason}
    return _("Approved; it is queued for sending.")


def delivery_lines(deliveries: list[Delivery]) -> list[tuple[str, int]]:
    """A few lines for many messages: counts by outcome, then each distinct reason a message was not sent."""
    if len(deliveries) == 1:
        delivery = deliveries[0]
        ok = delivery.status == Message.SENT or delivery.not_before is not None
        return [(describe(delivery), messages.INFO if ok else messages.WARNING)]
    lines: list[tuple[str, int]] = []
    sent = sum(1 for d in deliveries if d.status == Message.SENT)
    waiting = sum(1 for d in deliveries if d.not_before is not None)
    if sent:
        text = ngettext("%(count)d sent.", "%(count)d sent.", sent) % {"count": sent}
        lines.append((text, messages.INFO))
    if waiting:
        text = ngettext(
            "%(count)d waits for the sending window.", "%(count)d wait for the sending window.", waiting
        )
        lines.append((text % {"count": waiting}, messages.INFO))
    problems = Counter(
        (d.status, d.reason) for d in deliveries if d.status != Message.SENT and d.not_before is None
    )
    for (status, reason), count in problems.items():
        text = _("%(count)d not sent (%(status)s): %(why)s") % {
            "count": count,
            "status": status,
            "why": reason or _("queued for the next sending"),
        }
        lines.append((text, messages.WARNING))
    return lines


# --- edit then approve --------------------------------------------------------------------------------------


class EditForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=SUBJECT_MAX)
    text_body = forms.CharField(
        label=gettext_lazy("Message text"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
        help_text=gettext_lazy(
            "The HTML version is written again from this text: paragraphs, line breaks and links are kept; "
            "a line such as 'Pay online: https://…' becomes a button. The lines after '--' are the footer."
        ),
        strip=False,
    )
    checked = forms.CharField(required=False, widget=forms.HiddenInput)


def _digest(subject: str, text: str) -> str:
    """Which text the person was shown the findings of."""
    normal = " ".join(subject.split()) + "\n" + text.replace("\r\n", "\n").strip()
    return hashlib.sha256(normal.encode()).hexdigest()[:16]


@require_role("collector")
def approval_edit(request: HttpRequest, pk: int) -> HttpResponse:
    message = scoped(request, Message, pk=pk)
    if message.status != Message.AWAITING_APPROVAL:
        messages.warning(
            request,
            _("Message #%(id)s no longer waits for approval (it is %(status)s).")
            % {"id": message.pk, "status": message.status},
        )
        return redirect("web:approvals")
    if request.method != "POST":
        form = EditForm(initial={"subject": message.subject, "text_body": message.text_body})
        return _edit_page(request, message, form, message.subject, message.text_body)
    form = EditForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, message, form, "", "", status=400)
    subject, text = form.cleaned_data["subject"], form.cleaned_data["text_body"]
    if not text.strip():
        form.add_error("text_body", _("The message text is empty."))
        return _edit_page(request, message, form, "", "", status=400)
    report = lint_message(message, subject, text)
    seen = form.cleaned_data["checked"] == _digest(subject, text)
    if request.POST.get("action") != "approve":
        return _edit_page(request, message, form, subject, text, report)
    if report is not None and report.errors:
        form.add_error(None, _("The linter found errors: correct them before approving."))
        return _edit_page(request, message, form, subject, text, report, status=400)
    if report is not None and report.findings and not seen:
        form.add_error(None, _("Read the linter's findings on this text, then approve again."))
        return _edit_page(request, message, form, subject, text, report, status=400)
    now = timezone.now()
    try:
        do_edit_and_approve(workspace_of(request), message.pk, request.user, subject, text, now)
    except InvalidInput as exc:
        form.add_error(None, str(exc))
        return _edit_page(request, message, form, subject, text, report, status=400)
    messages.success(request, _("Message #%(id)s edited and approved.") % {"id": message.pk})
    for line, level in delivery_lines(deliver_approved(workspace_of(request), [message.pk], now)):
        messages.add_message(request, level, line)
    return redirect("web:approvals")


def _edit_page(
    request: HttpRequest,
    message: Message,
    form: EditForm,
    subject: str,
    text: str,
    report: LintReport | None = None,
    status: int = 200,
) -> HttpResponse:
    usable = bool(subject and text.strip())
    if report is None and usable:
        report = lint_message(message, subject, text)
    if usable:
        # The hidden field says which text these findings are about: approving another text shows them first.
        data = cast(QueryDict, form.data).copy() if form.is_bound else None
        if data is not None:
            data["checked"] = _digest(subject, text)
            form.data = data
        else:
            form.initial["checked"] = _digest(subject, text)
    preview = html_from_text(text, subject, message.language) if usable else ""
    context = {
        "message": message,
        "form": form,
        "report": report,
        "linted": report is not None,
        "usable": usable,
        "preview": preview,
        "cancel_url": reverse("web:approvals"),
    }
    return render(request, "web/approvals/edit.html", context, status=status)
