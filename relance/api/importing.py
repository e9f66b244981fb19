"""Ledger writes through the importer (relance.ledger.actions.do_import_rows): a JSON object is a row of
the CSV file, so that validation, messages, upserts and payment attribution are exactly the import's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ninja import Schema

from relance.accounts.models import Workspace
from relance.api.errors import BadRequest, ErrorItem, import_failed
from relance.ledger.actions import ImportOrigin, do_import_rows
from relance.ledger.importing.report import ImportReport
from relance.ledger.models import ImportLog

SOURCE = "api"


def as_row(item: Schema) -> dict[str, str]:
    """The fields the client sent, as CSV cells: absent fields stay absent (the column is left as it is),
    null becomes an empty cell, a list of tags is joined with |."""
    row: dict[str, str] = {}
    for name, value in item.model_dump(exclude_unset=True).items():
        if value is None:
            row[name] = ""
        elif isinstance(value, list):
            row[name] = "|".join(str(v) for v in value)
        else:
            row[name] = str(value)
    return row


def run_import(
    workspace: Workspace, kind: str, items: Iterable[Schema], dry_run: bool = False
) -> ImportReport:
    """Import the rows (all or none); a 400 naming every refused row and field when any is bad."""
    rows = [as_row(item) for item in items]
    origin = ImportOrigin(via=ImportLog.API, source=f"API, {len(rows)} rows")
    report = do_import_rows(workspace, kind, rows, SOURCE, dry_run=dry_run, origin=origin)
    if report.errors:
        raise import_failed(report, bulk=True)
    return report


def save_one(workspace: Workspace, kind: str, item: Schema) -> bool:
    """Create or update one row; True when it was created. A 400 naming the refused fields when bad."""
    origin = ImportOrigin(via=ImportLog.API, logged=False)
    report = do_import_rows(workspace, kind, [as_row(item)], SOURCE, origin=origin)
    if report.errors:
        raise import_failed(report, bulk=False)
    if not report.created + report.updated + report.unchanged:
        raise BadRequest("not saved: every field is empty", [ErrorItem(message="every field is empty")])
    return report.created > 0


def import_json(report: ImportReport) -> dict[str, Any]:
    return {
        "kind": report.kind,
        "dry_run": report.dry_run,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "warnings": report.warnings,
    }
