"""The daily run and its simulation: load the ledger, ask the engine, persist (or not) the result.

Both stream: customers are planned, rendered and written a chunk at a time, and only a light summary of
each message is kept, so a run over a million invoices holds the ledger snapshot in memory, not its mail.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db import models, transaction

from relance.accounts.models import Workspace
from relance.core.gcpause import gc_paused
from relance.dunning.actions_tasks import do_open_task
from relance.dunning.models import Run
from relance.dunning.snapshot import History, load_snapshot
from relance.engine.calendar import BusinessCalendar
from relance.engine.errors import InvalidInput
from relance.engine.planner import PlannedMessage, plan_run
from relance.engine.window import SendingWindow
from relance.ledger.models import Customer, Invoice
from relance.mail.compose import compose
from relance.mail.models import Message, MessageItem
from relance.mail.outbox import chunks, do_cancel_stale, message_json
from relance.tracking.experiments import running_by_stage

M = TypeVar("M", bound=models.Model)
CHUNK = 500


@dataclass
class RunResult:
    run_date: date
    # One summary per message, as `relance messages --json` shows it (no bodies).
    messages: list[dict[str, Any]] = field(default_factory=list)
    cancelled: int = 0
    escalated: int = 0


def do_run(
    workspace: Workspace, today: date, now: datetime, *, backfill: bool, dry_run: bool = False
) -> RunResult:
    """Plan `today` and write the messages to the outbox (sending happens after commit, elsewhere).

    `backfill` (an explicit --as-of date) ignores the sending window: the messages are due at once.
    `dry_run` plans and renders the same messages and writes nothing.
    """
    result = RunResult(run_date=today)
    with transaction.atomic():
        if not dry_run:
            result.cancelled = do_cancel_stale(workspace)
        # Rendering follows a chunk at a time; the planned messages themselves are light.
        planned = plan_day(workspace, today)
        for batch in _batches(iter(planned)):
            messages = compose_all(workspace, batch, today, now, backfill)
            if not dry_run:
                persist_outgoing(messages)
                result.escalated += escalate(workspace, batch, today)
            result.messages.extend(_summaries(messages, preview=dry_run))
        if not dry_run:
            Run.objects.create(
                workspace=workspace,
                run_date=today,
                backfill=backfill,
                started_at=now,
                finished_at=now,
                planned=len(result.messages),
                cancelled=result.cancelled,
            )
    return result


def plan_day(workspace: Workspace, today: date) -> list[PlannedMessage]:
    """What the run of `today` plans, before anything is rendered (the benchmark's "planning")."""
    # The collector is paused while the ledger is loaded and planned (see gc_paused), not while
    # messages are rendered: template engines do make reference cycles.
    with gc_paused():
        snapshot = load_snapshot(workspace, today, today, history_before=today + timedelta(days=1))
        return list(plan_run(snapshot.customer_states(today), today, business_calendar(workspace)))


def do_simulate(workspace: Workspace, first: date, last: date) -> RunResult:
    """Every message the daily run would have produced on each day of [first, last]; nothing is kept."""
    if last < first:
        raise InvalidInput(f"--to {last} is before --from {first}")
    calendar = business_calendar(workspace)
    with gc_paused():
        snapshot = load_snapshot(workspace, first, last, history_before=first)
    history: History = snapshot.history
    result = RunResult(run_date=first)
    day = first
    while day <= last:
        with gc_paused():
            planned = list(plan_run(snapshot.customer_states(day, history), day, calendar))
        for message in planned:
            history.record(message.customer_key, day, [(i.invoice.key, i.step.stage) for i in message.items])
        for batch in _batches(iter(planned)):
            result.messages.extend(_summaries(compose_all(workspace, batch, day, None, True), preview=True))
        day += timedelta(days=1)
    return result


def business_calendar(workspace: Workspace) -> BusinessCalendar:
    return BusinessCalendar(workspace.country)


def _batches(planned: Iterator[PlannedMessage]) -> Iterator[list[PlannedMessage]]:
    while batch := list(islice(planned, CHUNK)):
        yield batch


@dataclass(frozen=True)
class _Outgoing:
    message: Message
    items: list[MessageItem]
    invoice_numbers: list[str]


def compose_all(
    workspace: Workspace, planned: list[PlannedMessage], today: date, now: datetime | None, backfill: bool
) -> list[_Outgoing]:
    customers = _by_id(Customer, [p.customer_key for p in planned])
    invoice_ids = [i.invoice.key for p in planned for i in p.items] + [
        u.key for p in planned for u in p.upcoming
    ]
    invoices = _by_id(Invoice, invoice_ids)
    window = SendingWindow.parse(workspace.sending_window)
    calendar = business_calendar(workspace)
    experiments = running_by_stage(workspace)
    outgoing = []
    for plan in planned:
        customer = customers[plan.customer_key]
        not_before = None
        if not backfill and now is not None:
            zone = ZoneInfo(customer.timezone or workspace.timezone)
            opening = window.next_opening(now.astimezone(zone), calendar, plan.policy.business_days_only)
            not_before = opening if opening > now else None
        message, items = compose(workspace, customer, plan, invoices, today, not_before, experiments)
        outgoing.append(_Outgoing(message, items, [invoices[i.invoice.key].number for i in plan.items]))
    return outgoing


def _summaries(outgoing: list[_Outgoing], preview: bool) -> Iterator[dict[str, Any]]:
    for entry in outgoing:
        row = message_json(entry.message, entry.message.customer.external_id, entry.invoice_numbers)
        if preview:
            row["status"] = "preview"
        yield row


def _by_id(model: type[M], ids: Iterable[int]) -> dict[int, M]:
    found: dict[int, M] = {}
    for batch in chunks(sorted(set(ids))):
        found.update(model._default_manager.in_bulk(batch))
    return found


def persist_outgoing(outgoing: list[_Outgoing]) -> None:
    Message.objects.bulk_create([entry.message for entry in outgoing], batch_size=CHUNK)
    items = []
    for entry in outgoing:
        for item in entry.items:
            item.message = entry.message  # now that it has a primary key
            items.append(item)
    MessageItem.objects.bulk_create(items, batch_size=1000)


def escalate(workspace: Workspace, planned: list[PlannedMessage], today: date) -> int:
    """After the last stage a person takes over: one collection task per customer."""
    count = 0
    customers = _by_id(Customer, [p.customer_key for p in planned if p.escalates])
    for plan in planned:
        if not plan.escalates:
            continue
        customer = customers[plan.customer_key]
        numbers = ", ".join(
            i.invoice.number for i in plan.items if i.step_index == len(plan.policy.steps) - 1
        )
        do_open_task(
            customer,
            kind="collection",
            title=f"{customer.name}: last reminder sent, a person takes over",
            detail=f"Final stage reached on {today.isoformat()} for {numbers}.",
            due_date=today + timedelta(days=workspace.final_notice_days),
        )
        count += 1
    return count
