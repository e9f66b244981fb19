"""The public endpoints a reminder links to: open pixel, click redirect, one-click unsubscribe, contact page.

None needs a login; each is bound to one message by a signed token (relance.tracking.tokens). A bad token is
a 404, never a redirect.
"""

from __future__ import annotations

import base64
import uuid

from django import forms
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from relance.dunning.actions_tasks import do_open_task
from relance.mail.models import Message
from relance.tracking import tokens
from relance.tracking.actions import do_opt_out_pre_due, do_record_event
from relance.tracking.models import Event, Reply
from relance.tracking.rewrite import NON_ESSENTIAL_STAGES, links

# The smallest transparent GIF: 1x1, one transparent colour.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _message(purpose: str, token: str) -> tuple[Message, int | None]:
    try:
        message_id, index = tokens.read(purpose, token)
    except tokens.BadToken:
        raise Http404("no such link") from None
    message = Message.objects.select_related("customer", "workspace").filter(message_id=message_id).first()
    if message is None:
        raise Http404("no such link")
    return message, index


def _client(request: HttpRequest) -> dict[str, str]:
    return {"user_agent": request.headers.get("User-Agent", "")[:500]}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0"
    response["Pragma"] = "no-cache"
    return response


@require_GET
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    message, index = _message(tokens.OPEN, token)
    if index is not None:
        raise Http404("no such link")
    # Every open is kept: reports count unique messages opened.
    do_record_event(Event.OPENED, "pixel", message=message, recipient=message.to, raw=_client(request))
    return _no_store(HttpResponse(PIXEL, content_type="image/gif"))


@require_GET
def click(request: HttpRequest, token: str) -> HttpResponse:
    message, index = _message(tokens.CLICK, token)
    targets = links(message.html_body)
    if index is None or index >= len(targets):
        raise Http404("no such link")
    url = targets[index]
    do_record_event(
        Event.CLICKED, "redirect", message=message, recipient=message.to, url=url, raw=_client(request)
    )
    return _no_store(HttpResponseRedirect(url))


def _language(message: Message) -> str:
    return message.language if message.language in ("fr", "en") else "en"


@csrf_exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no cookie and no token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    message, index = _message(tokens.UNSUBSCRIBE, token)
    if index is not None or message.stage not in NON_ESSENTIAL_STAGES:
        raise Http404("no such link")
    language = _language(message)
    context = {"message": message, "workspace": message.workspace, "language": language, "done": False}
    if request.method == "POST":
        with transaction.atomic():
            do_record_event(
                Event.UNSUBSCRIBED,
                "unsubscribe",
                message=message,
                recipient=message.to,
                # One row per message however often the button is pressed.
                external_id=message.message_id,
                raw={**_client(request), "one_click": request.POST.get("List-Unsubscribe") == "One-Click"},
            )
            do_opt_out_pre_due(message.customer)
        context["done"] = True
    response = render(request, f"tracking/unsubscribe_{language}.html", context)
    return _no_store(response)


class ContactForm(forms.Form):
    email = forms.EmailField(required=False, max_length=254)
    question = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("email") and not (data.get("question") or "").strip():
            raise forms.ValidationError("empty", code="empty")
        return data


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, token: str) -> HttpResponse:
    """Name another billing contact or ask a question. It opens a task for a person; it never silences
    the reminders of a debt."""
    message, index = _message(tokens.CONTACT, token)
    if index is not None:
        raise Http404("no such link")
    language = _language(message)
    form = ContactForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        _record_contact(message, form.cleaned_data["email"], form.cleaned_data["question"].strip())
        done = True
        form = ContactForm()
    context = {"message": message, "workspace": message.workspace, "form": form, "done": done}
    return _no_store(render(request, f"tracking/contact_{language}.html", context))


@transaction.atomic
def _record_contact(message: Message, new_email: str, question: str) -> Reply:
    customer = message.customer
    lines = []
    if new_email:
        lines.append(f"New billing contact suggested: {new_email}")
    if question:
        lines.append(question)
    text = "\n\n".join(lines)
    now = timezone.now()
    reply = Reply.objects.create(
        workspace=message.workspace,
        message=message,
        customer=customer,
        # A web form has no Message-ID of its own; this one is unique and says where it came from.
        header_message_id=f"<web.{uuid.uuid4().hex}@relance.invalid>",
        from_address=new_email or message.to,
        subject=f"Contact page: {message.subject}"[:500],
        text=text,
        received_at=now,
    )
    title = (
        f"{customer.name}: new billing contact {new_email}"
        if new_email
        else f"{customer.name} asked a question"
    )
    do_open_task(
        customer,
        kind="reply",
        title=title[:200],
        detail=f"Via the contact page of reminder {message.message_id}:\n{text}",
        due_date=timezone.localdate(),
    )
    return reply
