"""Writes on the ledger: imports, holds, exclusions. Each is atomic; bad input raises InvalidInput or, for
imports, comes back as the report's errors with nothing written."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from relance.accounts.models import Workspace
from relance.core.gcpause import gc_paused
from relance.engine.errors import InvalidInput
from relance.ledger import queries
from relance.ledger.importing.planning import Plan, make_plan
from relance.ledger.importing.reading import FileProblem, read_sheet
from relance.ledger.importing.report import ImportReport
from relance.ledger.importing.rows import check_header, get_kind, parse_rows
from relance.ledger.models import Customer, Hold, ImportLog, Payment
from relance.ledger.paid_off import refresh_paid_off
from relance.tracking.attribution import do_recompute_attribution

BATCH_SIZE = 1000
Record = tuple[int, Any]


@dataclass(frozen=True)
class ImportOrigin:
    """Who imported, and how, for the import log. `source` names the file as the person knows it."""

    via: str = ImportLog.CLI
    by_id: int | None = None
    source: str = ""
    logged: bool = True  # single-row API upserts are not "imports" worth a log line


def do_import(
    workspace: Workspace,
    kind: str,
    path: str | Path,
    dry_run: bool = False,
    origin: ImportOrigin | None = None,
) -> ImportReport:
    """Import a CSV or XLSX file of `kind` (customers, invoices, payments): all rows or none.

    InvalidInput when the file cannot be opened; any problem with its content is in the report's errors."""
    get_kind(kind)
    path = Path(path)
    try:
        sheet = read_sheet(path)
    except FileProblem as problem:
        return ImportReport(kind, str(path), dry_run, errors=[problem.error])
    origin = origin or ImportOrigin(source=path.name)
    return _import(workspace, kind, str(path), sheet.header, sheet.rows, dry_run, origin)


def do_import_rows(
    workspace: Workspace,
    kind: str,
    rows: Iterable[Mapping[str, Any]],
    source_name: str,
    dry_run: bool = False,
    origin: ImportOrigin | None = None,
) -> ImportReport:
    """Import rows given as mappings of column name to text, as if they came from a file whose header (line 1)
    holds every key used; a key missing from a row is an empty cell there. The first row is line 2."""
    get_kind(kind)
    given = list(rows)
    if not given:
        return ImportReport(kind, source_name, dry_run, warnings=["no rows to import"])
    header = list(dict.fromkeys(key for row in given for key in row))
    origin = origin or ImportOrigin(source=source_name)
    return _import(workspace, kind, source_name, header, enumerate(given, start=2), dry_run, origin)


CHUNK_ROWS = 20_000


def _import(
    workspace: Workspace,
    kind_name: str,
    source: str,
    header_cells: list[Any],
    records: Iterable[Record],
    dry_run: bool,
    origin: ImportOrigin,
) -> ImportReport:
    """Check and write a chunk of rows at a time, inside one transaction that is rolled back at the end
    when any row was bad, or always for a dry run: all or nothing, with memory bounded by the chunk
    whatever the file's size. Each chunk is checked against the database as the earlier chunks left it,
    so "rows above included" rules (overpayments) hold across chunks."""
    kind = get_kind(kind_name)
    report = ImportReport(kind.name, source, dry_run)
    header = check_header(kind, header_cells)
    report.warnings += header.warnings
    if header.errors:
        report.errors = header.errors
        return report
    seen: dict[Any, int] = {}
    any_rows = False
    # Payments created or changed: only their invoices' attributions and paid-off dates can move.
    paid_invoices: set[int] = set()
    # Invoices updated (their amount may have changed): their paid-off dates can move.
    updated_invoices: set[int] = set()
    try:
        with transaction.atomic():
            for chunk in queries.chunks(records, CHUNK_ROWS):
                with gc_paused():  # per chunk, so that any cyclic garbage is still collected between them
                    rows, errors = parse_rows(kind, header, chunk)
                    plan = make_plan(workspace, kind, rows, seen)
                any_rows = any_rows or bool(rows) or bool(errors)
                report.created += len(plan.create)
                report.updated += len(plan.update)
                report.unchanged += plan.unchanged
                report.errors += errors + plan.errors
                if not report.errors:
                    _write(plan)
                    if kind.name == "payments" and not dry_run:
                        paid_invoices.update(_payment_invoices(plan))
                    elif kind.name == "invoices" and not dry_run:
                        updated_invoices.update(pk for pk, _ in plan.update)
            if report.errors or dry_run:
                transaction.set_rollback(True)
            else:
                if paid_invoices or updated_invoices:
                    refresh_paid_off(paid_invoices | updated_invoices)
                if paid_invoices:  # credit the new or changed payments to the reminders before them
                    do_recompute_attribution(paid_invoices)
                if any_rows and origin.logged:
                    _log(workspace, kind.name, report, origin)
    except FileProblem as problem:
        report.errors.append(problem.error)
    if not any_rows and not report.errors:
        report.warnings.append("no data rows after the header")
    report.errors.sort(key=lambda error: error.line)
    return report


def _log(workspace: Workspace, kind: str, report: ImportReport, origin: ImportOrigin) -> None:
    ImportLog.objects.create(
        workspace=workspace,
        kind=kind,
        source=(origin.source or report.file)[:300],
        via=origin.via,
        by_id=origin.by_id,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        at=timezone.now(),
    )


def _payment_invoices(plan: Plan) -> set[int]:
    invoices = {payment.invoice_id for payment in plan.create}
    updated = [pk for pk, _ in plan.update]
    for batch in queries.chunks(updated):
        invoices.update(Payment.objects.filter(pk__in=batch).values_list("invoice_id", flat=True))
    return invoices


def _write(plan: Plan) -> None:
    plan.model._default_manager.bulk_create(plan.create, batch_size=BATCH_SIZE)
    if plan.update:
        _update_rows(plan.model, plan.update, plan.update_fields)


def _update_rows(model: type[models.Model], rows: list[tuple[int, dict[str, Any]]], names: list[str]) -> None:
    """One UPDATE statement run for many rows (executemany). Django's bulk_update builds CASE expressions
    that take minutes for 100,000 rows; this takes seconds. Values go through each field's own conversion."""
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field.attname in names]
    stamped = [
        field for field in meta.concrete_fields if field.name == "updated_at"
    ]  # auto_now, done by hand
    stamp = [field.get_db_prep_save(timezone.now(), connection) for field in stamped]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields + stamped)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"
    with connection.cursor() as cursor:
        for batch in queries.chunks(rows, BATCH_SIZE):
            params = [
                [field.get_db_prep_save(values[field.attname], connection) for field in fields] + stamp + [pk]
                for pk, values in batch
            ]
            cursor.executemany(sql, params)


def _check_date_order(start: date, until: date) -> None:
    if until <= start:
        raise InvalidInput(f"--until {until.isoformat()} must be after the start {start.isoformat()}")


@transaction.atomic
def do_hold(
    workspace: Workspace,
    invoice_number: str,
    *,
    until: date,
    reason: str,
    start: date | None = None,
    note: str = "",
    today: date | None = None,
) -> Hold:
    """Pause the chase of an invoice on the days start <= day < until. `start` defaults to today in the
    workspace's time zone. A dispute is a hold with reason `dispute`."""
    if reason not in {choice for choice, _ in Hold.REASONS}:
        raise InvalidInput(f"reason {reason!r}: choose dispute, promise or other")
    invoice = queries.get_invoice(workspace, invoice_number)
    start = start or today or queries.workspace_today(workspace)
    _check_date_order(start, until)
    return Hold.objects.create(
        workspace=workspace, invoice=invoice, start=start, until=until, reason=reason, note=note.strip()
    )


@transaction.atomic
def do_release(workspace: Workspace, invoice_number: str, on: date | None = None) -> int:
    """End the invoice's holds on `on` (default today): they no longer cover that day nor any later one.
    Returns how many holds were released (0 when none was in effect)."""
    invoice = queries.get_invoice(workspace, invoice_number)
    day = on or queries.workspace_today(workspace)
    return queries.holds_in_effect(invoice, day).update(released_on=day)


@transaction.atomic
def do_exclude(workspace: Workspace, customer_id: str, reason: str = "") -> Customer:
    """Stop chasing a customer until `do_include`."""
    reason = reason.strip()
    max_length = Customer._meta.get_field("excluded_reason").max_length or 200
    if len(reason) > max_length:
        raise InvalidInput(f"--reason is longer than {max_length} characters")
    customer = queries.get_customer(workspace, customer_id)
    customer.excluded, customer.excluded_reason = True, reason
    customer.save(update_fields=["excluded", "excluded_reason", "updated_at"])
    return customer


@transaction.atomic
def do_include(workspace: Workspace, customer_id: str) -> Customer:
    """Resume chasing a customer that was excluded."""
    customer = queries.get_customer(workspace, customer_id)
    customer.excluded, customer.excluded_reason = False, ""
    customer.save(update_fields=["excluded", "excluded_reason", "updated_at"])
    return customer
