"""The outbox: messages (as `relance messages --json` shows them), one in full, the approval queue,
approve (then hand it to the sender, as `relance approve` does) and skip (cancel with a reason)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from relance.accounts.models import Workspace
from relance.api.auth import READ, WRITE, workspace_of
from relance.api.errors import Conflict, NotFound, responses
from relance.api.invoices import customer_pk
from relance.api.paging import in_order, page
from relance.api.schemas import (
    ApprovalOut,
    MessageDetail,
    MessageFilters,
    MessageId,
    MessageOut,
    MessagePage,
    Paging,
    SkipIn,
)
from relance.engine.errors import InvalidInput
from relance.mail.delivery import deliver_now
from relance.mail.models import Message, MessageItem
from relance.mail.outbox import PENDING, do_approve, do_cancel, invoice_numbers, message_json
from relance.tracking.models import Event

router = Router(tags=["messages"])
SKIPPED = "skipped through the API"


def messages_of(workspace: Workspace) -> QuerySet[Message]:
    return Message.objects.filter(workspace=workspace).select_related("customer")


def get_message(workspace: Workspace, message_id: int) -> Message:
    """The workspace's message, or a 404 (another workspace's messages are unknown here)."""
    found = messages_of(workspace).filter(pk=message_id).first()
    if found is None:
        raise NotFound(f"no message #{message_id}")
    return found


def _utc(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def messages_json(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """The CLI's JSON of each message, with the invoice numbers of all of them in a few queries."""
    numbers = invoice_numbers(messages)
    return [
        {
            **message_json(m, m.customer.external_id, numbers.get(m.pk, [])),
            "approved_at": _utc(m.approved_at),
            "variant": m.variant,
        }
        for m in messages
    ]


def load_messages(workspace: Workspace, ids: list[int]) -> list[dict[str, Any]]:
    return messages_json(in_order(ids, messages_of(workspace).filter(pk__in=ids)))


def message_detail(message: Message) -> dict[str, Any]:
    headers = {"Message-ID": message.message_id, "From": message.from_email, "To": message.to}
    if message.reply_to:
        headers["Reply-To"] = message.reply_to
    headers["Subject"] = message.subject
    items = MessageItem.objects.filter(message=message).select_related("invoice").order_by("pk")
    events = Event.objects.filter(message=message, workspace=message.workspace).order_by("occurred_at", "pk")
    return {
        **messages_json([message])[0],
        "language": message.language,
        "reply_to": message.reply_to,
        "headers": headers,
        "text_body": message.text_body,
        "html_body": message.html_body,
        "items": [
            {
                "invoice_number": item.invoice.number,
                "stage": item.stage,
                "step_index": item.step_index,
                "outstanding": item.outstanding,
            }
            for item in items
        ],
        "events": list(
            events.values(
                "kind", "occurred_at", "source", "recipient", "url", "bounce_kind", "status_code", "reason"
            )
        ),
    }


@router.get(
    "/messages", response=responses({200: MessagePage}), auth=READ, by_alias=True, summary="List messages"
)
def list_messages(
    request: HttpRequest, filters: Query[MessageFilters], paging: Query[Paging]
) -> dict[str, Any]:
    workspace = workspace_of(request)
    messages = Message.objects.filter(workspace=workspace)
    if filters.status is not None:
        messages = messages.filter(status=filters.status)
    if filters.stage is not None:
        messages = messages.filter(stage=filters.stage)
    if filters.customer is not None:
        messages = messages.filter(customer_id=customer_pk(workspace, filters.customer))
    if filters.run_from is not None:
        messages = messages.filter(run_date__gte=filters.run_from)
    if filters.run_to is not None:
        messages = messages.filter(run_date__lte=filters.run_to)
    return page(messages.order_by("-run_date", "-pk"), paging, lambda ids: load_messages(workspace, ids))


@router.get(
    "/approvals",
    response=responses({200: MessagePage}),
    auth=READ,
    by_alias=True,
    tags=["approvals"],
    summary="Messages awaiting approval, oldest first",
)
def list_approvals(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    workspace = workspace_of(request)
    waiting = Message.objects.filter(workspace=workspace, status=Message.AWAITING_APPROVAL)
    return page(waiting.order_by("run_date", "pk"), paging, lambda ids: load_messages(workspace, ids))


@router.get(
    "/messages/{message_id}",
    response=responses({200: MessageDetail}),
    auth=READ,
    by_alias=True,
    summary="One message in full: headers, bodies, invoices, events",
)
def get_one_message(request: HttpRequest, message_id: MessageId) -> dict[str, Any]:
    return message_detail(get_message(workspace_of(request), message_id))


@router.post(
    "/messages/{message_id}/approve",
    response=responses({200: ApprovalOut}, 409),
    auth=WRITE,
    by_alias=True,
    tags=["approvals"],
    summary="Approve a message awaiting approval",
    description=(
        "It is queued and handed to the sender at once (or at the next allowed moment), as `relance approve` "
        "does. 409 when the message is not awaiting approval. `delivery_problem` says why it could not be "
        "handed over now (it stays queued for the next send)."
    ),
)
def approve_message(request: HttpRequest, message_id: MessageId) -> dict[str, Any]:
    workspace = workspace_of(request)
    message = get_message(workspace, message_id)
    if message.status != Message.AWAITING_APPROVAL:
        raise Conflict(f"message #{message.pk} is {message.status}, not awaiting approval")
    try:
        do_approve(workspace, message.pk, timezone.now())
    except InvalidInput as exc:  # changed in the meantime
        raise Conflict(str(exc)) from None
    problem = deliver_now(workspace)
    return {**messages_json([get_message(workspace, message.pk)])[0], "delivery_problem": problem or None}


@router.post(
    "/messages/{message_id}/skip",
    response=responses({200: MessageOut}, 409),
    auth=WRITE,
    by_alias=True,
    tags=["approvals"],
    summary="Skip (cancel) a message that is not sent yet",
    description=(
        "Cancels a message awaiting approval or queued, keeping the reason; its invoices' stages are freed "
        "so that the next run may plan them again. 409 when the message is already sent, failed or cancelled."
    ),
)
def skip_message(request: HttpRequest, message_id: MessageId, body: SkipIn | None = None) -> dict[str, Any]:
    workspace = workspace_of(request)
    message = get_message(workspace, message_id)
    if message.status not in PENDING:
        raise Conflict(
            f"message #{message.pk} is {message.status}: only a queued or waiting message can be skipped"
        )
    reason = (body.reason.strip() if body else "") or SKIPPED
    if not do_cancel({message.pk: reason}):
        raise Conflict(f"message #{message.pk} is no longer waiting")
    return messages_json([get_message(workspace, message.pk)])[0]
