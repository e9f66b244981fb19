"""The invoices list (with the totals of what it shows) and an invoice's page: payments, holds, reminders."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from relance.engine.errors import InvalidInput
from relance.ledger.models import Invoice
from relance.ledger.queries import holds_covering_q
from relance.mail.models import MessageItem
from relance.web.access import require_role, workspace_of
from relance.web.forms.customers import HoldForm, InvoiceFilterForm, PaymentForm
from relance.web.views import customer_queries as cq
from relance.web.views.customers import (
    hold_invoice,
    is_htmx,
    record_payment,
    release_invoice,
    sort_links,
    today_of,
    valid_values,
)

PER_PAGE = 50


@require_role("viewer")
def invoice_list(request: HttpRequest) -> HttpResponse:
    workspace = workspace_of(request)
    today = today_of(request)
    form = InvoiceFilterForm(request.GET or None, currencies=cq.currencies(workspace))
    data = valid_values(form)
    filters = cq.InvoiceFilters(
        q=data.get("q") or "",
        status=data.get("status") or "open",
        ageing=data.get("ageing") or "",
        on_hold=bool(data.get("on_hold")),
        currency=data.get("currency") or "",
        customer=data.get("customer"),
        sort=sort if (sort := str(data.get("sort") or "")) in cq.INVOICE_SORTS else "due",
    )
    invoices = cq.filter_invoices(workspace, filters, today)
    totals = cq.invoice_totals(invoices)
    paginator = Paginator(invoices.values_list("pk", flat=True), PER_PAGE)
    paginator.count = sum(t.count for t in totals)  # known from the totals: no COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    customer = None
    if filters.customer:
        customer = workspace.customers.filter(pk=filters.customer).first()
    context = {
        "form": form,
        "page": page,
        "rows": cq.invoice_rows(workspace, list(page.object_list), today),
        "totals": totals,
        "today": today,
        "filtered_customer": customer,
        "sort": filters.sort,
        "sort_links": sort_links(request, filters.sort, ("due", "number", "amount")),
    }
    template = "web/invoices/_rows.html" if is_htmx(request) else "web/invoices/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _invoice_or_404(request: HttpRequest, pk: int) -> Invoice:
    invoices = cq.with_outstanding(Invoice.objects.filter(workspace=workspace_of(request), pk=pk))
    invoice = invoices.select_related("customer", "workspace").first()
    if invoice is None:
        raise Http404("no such invoice")
    return invoice


def render_invoice(
    request: HttpRequest, invoice: Invoice, failed: dict[str, forms.Form] | None = None
) -> HttpResponse:
    today = today_of(request)
    payments = invoice.payments.select_related("attribution__message").order_by("-date", "-pk")
    holds = list(invoice.holds.order_by("-start", "-pk"))
    covering = set(invoice.holds.filter(holds_covering_q(today)).values_list("pk", flat=True))
    items = (
        MessageItem.objects.filter(invoice=invoice)
        .select_related("message")
        .defer("message__text_body", "message__html_body")
        .order_by("-message__run_date", "-message_id")
    )
    page_forms: dict[str, forms.Form] = {
        "hold": HoldForm(today=today),
        "payment": PaymentForm(today=today),
    }
    page_forms.update(failed or {})
    tolerance = invoice.workspace.tolerance
    outstanding = invoice.outstanding  # type: ignore[attr-defined]
    context = {
        "invoice": invoice,
        "customer": invoice.customer,
        "today": today,
        "outstanding": outstanding,
        "paid": invoice.paid,  # type: ignore[attr-defined]
        "is_paid": invoice.status == Invoice.OPEN and outstanding <= tolerance,
        "days_late": (today - invoice.due_date).days,
        "payments": list(payments),
        "holds": [
            (hold, hold.pk in covering, hold.released_on is None and hold.until > today) for hold in holds
        ],
        "on_hold": bool(covering),
        "in_effect": any(h.released_on is None and h.until > today for h in holds),
        "items": list(items),
        "forms": page_forms,
        "failed": next(iter(failed), "") if failed else "",
    }
    status = 400 if failed and not is_htmx(request) else 200
    return render(request, "web/invoices/detail.html", context, status=status)


@require_role("viewer")
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_invoice(request, _invoice_or_404(request, pk))


def _act(request: HttpRequest, invoice: Invoice, key: str, form: forms.Form, perform: Any) -> HttpResponse:
    if form.is_valid():
        try:
            text = perform(form.cleaned_data)
        except InvalidInput as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, text)
            return redirect("web:invoice_detail", pk=invoice.pk)
    return render_invoice(request, invoice, failed={key: form})


@require_role("collector")
@require_POST
def invoice_hold(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice_or_404(request, pk)
    today = today_of(request)

    def perform(data: dict[str, Any]) -> str:
        return hold_invoice(invoice, data, today)

    return _act(request, invoice, "hold", HoldForm(request.POST, today=today), perform)


@require_role("collector")
@require_POST
def invoice_release(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice_or_404(request, pk)

    def perform(data: dict[str, Any]) -> str:
        return release_invoice(invoice, today_of(request))

    return _act(request, invoice, "release", forms.Form(request.POST), perform)


@require_role("collector")
@require_POST
def invoice_payment(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice_or_404(request, pk)
    today = today_of(request)

    def perform(data: dict[str, Any]) -> str:
        return record_payment(invoice.customer, invoice, data, today)

    return _act(request, invoice, "payment", PaymentForm(request.POST, today=today), perform)
