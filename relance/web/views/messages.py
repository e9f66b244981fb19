"""The outbox: every message written, its status and what came back; a message as the customer sees it."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.clickjacking import xframe_options_sameorigin

from relance.mail.models import Message
from relance.tracking.models import Attribution, Event, Reply
from relance.web.access import require_role, workspace_of
from relance.web.forms.customers import MessageFilterForm
from relance.web.views import customer_queries as cq
from relance.web.views.customers import is_htmx, valid_values

PER_PAGE = 50
# The stored HTML is the customer's mail: shown, never run. No script, no form, no plugin; inline styles and
# images as mail clients allow them; framed only by this site's own pages.
PREVIEW_CSP = (
    "default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'; font-src data: https:; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox"
)


@require_role("viewer")
def message_list(request: HttpRequest) -> HttpResponse:
    workspace = workspace_of(request)
    form = MessageFilterForm(request.GET or None, stages=cq.stages(workspace))
    data = valid_values(form)
    filters = cq.MessageFilters(
        q=data.get("q") or "",
        status=data.get("status") or "",
        stage=data.get("stage") or "",
        start=data.get("start"),
        end=data.get("end"),
        customer=data.get("customer"),
    )
    ids = cq.filter_messages(workspace, filters).values_list("pk", flat=True)
    page = Paginator(ids, PER_PAGE).get_page(request.GET.get("page"))
    customer = None
    if filters.customer:
        customer = workspace.customers.filter(pk=filters.customer).first()
    context = {
        "form": form,
        "page": page,
        "rows": cq.message_rows(workspace, list(page.object_list)),
        "filtered_customer": customer,
    }
    template = "web/messages/_rows.html" if is_htmx(request) else "web/messages/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _message_or_404(request: HttpRequest, pk: int) -> Message:
    message = (
        Message.objects.filter(workspace=workspace_of(request), pk=pk)
        .select_related("customer", "experiment")
        .defer("html_body")
        .first()
    )
    if message is None:
        raise Http404("no such message")
    return message


@require_role("viewer")
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message_or_404(request, pk)
    items = message.items.select_related("invoice").order_by("pk")
    events = Event.objects.filter(message=message).order_by("occurred_at", "pk").defer("raw")
    replies = Reply.objects.filter(message=message).order_by("received_at", "pk")
    attributions = Attribution.objects.filter(message=message).select_related("payment__invoice")
    tab = "text" if request.GET.get("tab") == "text" else "html"
    context = {
        "message": message,
        "customer": message.customer,
        "items": list(items),
        "events": list(events),
        "replies": list(replies),
        "attributions": list(attributions),
        "tab": tab,
    }
    return render(request, "web/messages/detail.html", context)


@require_role("viewer")
@xframe_options_sameorigin
def message_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored HTML body exactly as it was sent, for the sandboxed frame of the message page."""
    message = Message.objects.filter(workspace=workspace_of(request), pk=pk).only("pk", "html_body").first()
    if message is None:
        raise Http404("no such message")
    response = HttpResponse(message.html_body, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = PREVIEW_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
