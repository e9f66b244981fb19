"""The customers list and a customer's page: what they owe, their story, and what a collector can do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relance.dunning import actions_now
from relance.engine.errors import InvalidInput
from relance.ledger import actions as ledger_actions
from relance.ledger import actions_web
from relance.ledger.models import Customer, Hold, Invoice
from relance.ledger.queries import holds_in_effect_q, workspace_today
from relance.ledger.timeline import DEFAULT_LIMIT, MAX_LIMIT, build_timeline
from relance.mail.delivery import deliver_now
from relance.mail.models import Message
from relance.tracking.replies import do_resume
from relance.web.access import require_role, workspace_of
from relance.web.forms.customers import (
    CallForm,
    ContactForm,
    CustomerFilterForm,
    ExcludeForm,
    HoldForm,
    NoteForm,
    PaymentForm,
    ReleaseForm,
)
from relance.web.templatetags.relance_web import money
from relance.web.views import customer_queries as cq

PER_PAGE = 50
OPEN_INVOICES_SHOWN = 100


def is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def valid_values(form: forms.Form) -> dict[str, Any]:
    """The filters that are valid (a bad one is dropped and shown with its error, the others still apply)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data


def today_of(request: HttpRequest) -> date:
    return workspace_today(workspace_of(request), timezone.now())


def day(value: date) -> str:
    return str(formats.date_format(value, "SHORT_DATE_FORMAT"))


# --- List ------------------------------------------------------------------------------------------------


@require_role("viewer")
def customer_list(request: HttpRequest) -> HttpResponse:
    workspace = workspace_of(request)
    today = today_of(request)
    form = CustomerFilterForm(request.GET or None, segments=cq.segments(workspace))
    data = valid_values(form)
    filters = cq.CustomerFilters(
        q=data.get("q") or "",
        segment=data.get("segment") or "",
        status=data.get("status") or "",
        ageing=data.get("ageing") or "",
        on_hold=bool(data.get("on_hold")),
        sort=sort if (sort := str(data.get("sort") or "")) in cq.CUSTOMER_SORTS else "name",
    )
    ids: Any = cq.filter_customers(workspace, filters, today).values_list("pk", flat=True)
    if filters.heavy:  # the aggregate runs once: its ids are counted and cut in Python
        ids = list(ids)
    page = Paginator(ids, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": cq.customer_rows(workspace, list(page.object_list), today),
        "sort": filters.sort,
        "sort_links": sort_links(request, filters.sort, ("name", "overdue", "late")),
        "today": today,
    }
    template = "web/customers/_rows.html" if is_htmx(request) else "web/customers/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def sort_links(request: HttpRequest, current: str, keys: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """For each sortable column: the query string that sorts on it (again: the other way) and aria-sort."""
    links = {}
    for key in keys:
        query = request.GET.copy()
        query.pop("page", None)
        descending_first = key in {"overdue", "late"}
        if current.lstrip("-") == key:
            query["sort"] = key if current.startswith("-") else f"-{key}"
            # "overdue"/"late" are largest first (descending); "name" A to Z (ascending).
            ascending = current.startswith("-") == descending_first
            state = "ascending" if ascending else "descending"
        else:
            query["sort"] = key
            state = "none"
        links[key] = {"query": query.urlencode(), "aria": state}
    return links


# --- Detail ----------------------------------------------------------------------------------------------


def _customer_or_404(request: HttpRequest, pk: int) -> Customer:
    try:
        return Customer.objects.select_related("workspace").get(pk=pk, workspace=workspace_of(request))
    except Customer.DoesNotExist:
        raise Http404("no such customer") from None


def _open_invoices(customer: Customer, today: date) -> QuerySet[Invoice]:
    active = Hold.objects.filter(holds_in_effect_q(today), invoice=OuterRef("pk")).order_by("-until")
    invoices = cq.unpaid(
        cq.with_outstanding(Invoice.objects.filter(customer=customer)), customer.workspace
    ).annotate(
        held=cq.on_hold_today(customer.workspace, today),
        hold_until=Subquery(active.values("until")[:1]),
        hold_reason=Subquery(active.values("reason")[:1]),
    )
    return invoices.order_by("due_date", "pk")


def _forms(customer: Customer, today: date, request: HttpRequest) -> dict[str, forms.Form]:
    invoices = Invoice.objects.filter(customer=customer)
    chosen = request.GET.get("invoice", "")
    initial = {"invoice": int(chosen)} if chosen.isdigit() else {}
    return {
        "hold": HoldForm(invoices=invoices, today=today, initial=initial),
        "payment": PaymentForm(invoices=invoices, today=today, initial=initial),
        "call": CallForm(today=today),
        "contact": ContactForm(initial={"contact_name": customer.contact_name, "email": customer.email}),
        "note": NoteForm(),
        "exclude": ExcludeForm(),
    }


def render_customer(
    request: HttpRequest, pk: int, failed: dict[str, forms.Form] | None = None
) -> HttpResponse:
    workspace = workspace_of(request)
    today = today_of(request)
    rows = cq.customer_rows(workspace, [pk], today)
    if not rows:
        raise Http404("no such customer")
    row = rows[0]
    customer = row.customer
    try:
        limit = int(request.GET.get("more", DEFAULT_LIMIT))
    except ValueError:
        limit = DEFAULT_LIMIT
    open_invoices = list(_open_invoices(customer, today)[: OPEN_INVOICES_SHOWN + 1])
    for invoice in open_invoices:
        invoice.days_late = (today - invoice.due_date).days  # type: ignore[attr-defined]
    page_forms = _forms(customer, today, request)
    page_forms.update(failed or {})
    context = {
        "customer": customer,
        "row": row,
        "today": today,
        "open_invoices": open_invoices[:OPEN_INVOICES_SHOWN],
        "more_invoices": len(open_invoices) > OPEN_INVOICES_SHOWN,
        "timeline": build_timeline(customer, today, limit),
        "more_limit": min(MAX_LIMIT, limit + DEFAULT_LIMIT),
        "forms": page_forms,
        "failed": next(iter(failed), "") if failed else "",
        "chosen_invoice": (request.POST or request.GET).get("invoice", ""),
    }
    status = 400 if failed and not is_htmx(request) else 200
    return render(request, "web/customers/detail.html", context, status=status)


@require_role("viewer")
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_customer(request, pk)


# --- Actions ---------------------------------------------------------------------------------------------

Perform = Callable[[dict[str, Any]], str]


def _act(
    request: HttpRequest, customer: Customer, key: str, form: forms.Form, perform: Perform
) -> HttpResponse:
    """Validate, perform (an action that may refuse with InvalidInput), then back to the customer's page
    with a flash message; on bad input, the page again with the form's errors and nothing written."""
    if form.is_valid():
        try:
            text = perform(form.cleaned_data)
        except InvalidInput as refused:
            form.add_error(None, str(refused))
        else:
            if text:
                messages.success(request, text)
            return redirect("web:customer_detail", pk=customer.pk)
    return render_customer(request, customer.pk, failed={key: form})


@require_role("collector")
@require_POST
def customer_hold(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(request, pk)
    today = today_of(request)
    form = HoldForm(request.POST, invoices=Invoice.objects.filter(customer=customer), today=today)

    def perform(data: dict[str, Any]) -> str:
        return hold_invoice(data["invoice"], data, today)

    return _act(request, customer, "hold", form, perform)


def hold_invoice(invoice: Invoice, data: dict[str, Any], today: date) -> str:
    """Hold `invoice` with a hold form's values (customer and invoice pages); the flash message."""
    ledger_actions.do_hold(
        invoice.workspace,
        invoice.number,
        until=data["until"],
        reason=data["reason"],
        note=data["note"],
        today=today,
    )
    return _("Invoice %(number)s is on hold: no reminder for it before %(day)s.") % {
        "number": invoice.number,
        "day": day(data["until"]),
    }


@require_role("collector")
@require_POST
def customer_release(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(request, pk)
    form = ReleaseForm(request.POST, invoices=Invoice.objects.filter(customer=customer))

    def perform(data: dict[str, Any]) -> str:
        return release_invoice(data["invoice"], today_of(request))

    return _act(request, customer, "release", form, perform)


def release_invoice(invoice: Invoice, today: date) -> str:
    """End the holds of `invoice` (customer and invoice pages); the flash message."""
    if not ledger_actions.do_release(invoice.workspace, invoice.number, on=today):
        return _("Invoice %(number)s was not on hold.") % {"number": invoice.number}
    return _("Invoice %(number)s is released: reminders resume.") % {"number": invoice.number}


@require_role("collector")
@require_POST
def customer_payment(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(request, pk)
    today = today_of(request)
    form = PaymentForm(request.POST, invoices=Invoice.objects.filter(customer=customer), today=today)

    def perform(data: dict[str, Any]) -> str:
        return record_payment(customer, data["invoice"], data, today)

    return _act(request, customer, "payment", form, perform)


def record_payment(customer: Customer, invoice: Invoice, data: dict[str, Any], today: date) -> str:
    payment = actions_web.do_record_payment(
        customer.workspace,
        invoice,
        amount=data["amount"],
        on=data["date"],
        today=today,
        reference=data.get("reference") or "",
    )
    return _("Payment of %(amount)s recorded on invoice %(number)s (reference %(reference)s).") % {
        "amount": money(payment.amount, invoice.currency),
        "number": invoice.number,
        "reference": payment.reference,
    }


@require_role("collector")
@require_POST
def customer_exclude(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(request, pk)

    def perform(data: dict[str, Any]) -> str:
        ledger_actions.do_exclude(customer.workspace, customer.external_id, data["reason"])
        return _("%(name)s is excluded: no more reminders until included again.") % {"name": customer.name}

    return _act(request, customer, "exclude", ExcludeForm(request.POST), perform)


@require_role("collector")
@require_POST
def customer_include(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(request, pk)

    def perform(data: dict[str, Any]) -> str:
        ledger_actions.do_include(customer.workspace, customer.external_id)
        return _("%(name)s is included again: reminders resume.") % {"name": customer.name}

    return _act(request, customer, "include", forms.Form(request.POST), perform)


@require_role("collector")
@require_POST
def customer_resume(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(request, pk)

    def perform(data: dict[str, Any]) -> str:
        do_resume(customer.workspace, customer.external_id)
        return _("Automation resumed for %(name)s.") % {"name": customer.name}

    return _act(request, customer, "resume", forms.Form(request.POST), perform)


@require_role("collector")
@require_POST
def customer_call(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(request, pk)
    today = today_of(request)

    def perform(data: dict[str, Any]) -> str:
        _call, holds = actions_web.do_log_call(
            customer.workspace,
            customer,
            data["outcome"],
            today=today,
            promise_date=data.get("promise_date"),
            author=request.user,
        )
        if holds:
            return _("Call logged. %(count)s open invoice(s) held until the promised day, %(day)s.") % {
                "count": len(holds),
                "day": day(data["promise_date"]),
            }
        return _("Call logged.")

    return _act(request, customer, "call", CallForm(request.POST, today=today), perform)


@require_role("collector")
@require_POST
def customer_contact(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(request, pk)

    def perform(data: dict[str, Any]) -> str:
        note = actions_web.do_change_contact(
            customer.workspace,
            customer,
            contact_name=data["contact_name"],
            email=data["email"],
            author=request.user,
        )
        if note is None:
            return _("The billing contact is unchanged.")
        return _("Billing contact changed; the previous one is kept in the timeline.")

    return _act(request, customer, "contact", ContactForm(request.POST), perform)


@require_role("collector")
@require_POST
def customer_note(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(request, pk)

    def perform(data: dict[str, Any]) -> str:
        actions_web.do_add_note(customer.workspace, customer, data["text"], author=request.user)
        return _("Note added.")

    return _act(request, customer, "note", NoteForm(request.POST), perform)


@require_role("collector")
@require_POST
def customer_send_now(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(request, pk)
    workspace = customer.workspace
    now = timezone.now()
    result = actions_now.do_send_next_now(workspace, customer, workspace_today(workspace, now), now)
    if result.message is None:
        messages.warning(request, _why_nothing(result))
        return redirect("web:customer_detail", pk=customer.pk)
    message = result.message
    if message.status == Message.AWAITING_APPROVAL:
        messages.success(
            request,
            _("The %(stage)s reminder is written and waits for approval (message #%(id)s).")
            % {"stage": message.stage, "id": message.pk},
        )
    elif message.not_before is not None and message.not_before > now:
        when = formats.date_format(timezone.localtime(message.not_before), "SHORT_DATETIME_FORMAT")
        messages.success(
            request,
            _("The %(stage)s reminder is queued: it leaves at %(when)s, when the sending window opens.")
            % {"stage": message.stage, "when": when},
        )
    else:
        problem = deliver_now(workspace)
        if problem:
            messages.warning(
                request,
                _("The %(stage)s reminder is queued but could not be sent now: %(problem)s")
                % {"stage": message.stage, "problem": problem},
            )
        else:
            messages.success(request, _("The %(stage)s reminder is on its way.") % {"stage": message.stage})
    return redirect("web:customer_detail", pk=customer.pk)


def _why_nothing(result: actions_now.SendNow) -> str:
    if result.reason == actions_now.ALREADY and result.existing is not None:
        return _("Nothing sent: this customer already has a message today (#%(id)s, %(status)s).") % {
            "id": result.existing.pk,
            "status": result.existing.get_status_display(),
        }
    if result.reason == actions_now.STOPPED:
        return _(
            "Nothing sent: reminders are stopped for this customer (excluded, paused or no usable address)."
        )
    if result.reason == actions_now.NOTHING_OWED:
        return _("Nothing sent: no invoice of this customer can be chased today (paid, held or not issued).")
    if result.reason == actions_now.TOO_SOON and result.next_allowed is not None:
        return _("Nothing sent: the last message was too recent; the next one may go on %(day)s.") % {
            "day": day(result.next_allowed)
        }
    return _("Nothing sent: no reminder step is due today for this customer's invoices.")
