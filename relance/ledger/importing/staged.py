"""Uploaded files waiting for a person to confirm their import (the web application's dry run, then import).

A staged upload is a folder `<data dir>/import-staging/<token>/` holding the file and `meta.json` (the
workspace, the user, the kind, the original file name, the dry run's report). The token is random and the
folder is only ever found again for the same workspace and user: a client never names a path. Staged files
are deleted once imported or discarded, and any left over expire after `TTL`.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from relance.accounts.models import Workspace
from relance.conf import data_dir
from relance.engine.errors import InvalidInput
from relance.ledger.actions import ImportOrigin, do_import
from relance.ledger.importing.report import ImportReport, RowError
from relance.ledger.importing.rows import get_kind
from relance.ledger.models import ImportLog

TTL = timedelta(hours=24)
FOLDER = "import-staging"
EXTENSIONS = (".csv", ".xlsx")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_META = "meta.json"


@dataclass
class StagedFile:
    token: str
    folder: Path
    workspace_id: int
    user_id: int
    kind: str
    filename: str  # as the person's computer named it: shown, never used as a path
    size: int
    created_at: datetime
    report: dict[str, Any] | None = (
        None  # the dry run's ImportReport.as_dict(), plus "problem" when unreadable
    )

    @property
    def path(self) -> Path:
        return self.folder / ("upload" + Path(self.filename).suffix.lower())

    def meta(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace_id,
            "user": self.user_id,
            "kind": self.kind,
            "filename": self.filename,
            "size": self.size,
            "created_at": self.created_at.isoformat(),
            "report": self.report,
        }

    def save(self) -> None:
        (self.folder / _META).write_text(json.dumps(self.meta()), encoding="utf-8")


def staging_root() -> Path:
    root = data_dir() / FOLDER
    root.mkdir(parents=True, exist_ok=True)
    return root


def stage_upload(
    workspace: Workspace, user_id: int, kind: str, filename: str, chunks: Iterable[bytes], now: datetime
) -> StagedFile:
    """Write an uploaded file to a new staging folder. InvalidInput for an unknown kind or file type."""
    get_kind(kind)
    name = Path(filename.replace("\\", "/")).name or "upload"
    if Path(name).suffix.lower() not in EXTENSIONS:
        raise InvalidInput(f"{name}: expected a .csv or .xlsx file")
    purge_expired(now)
    token = secrets.token_urlsafe(24)
    folder = staging_root() / token
    folder.mkdir(mode=0o700)
    staged = StagedFile(token, folder, workspace.pk, user_id, kind, name, 0, now)
    with staged.path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
            staged.size += len(chunk)
    staged.save()
    return staged


def load_staged(workspace: Workspace, user_id: int, token: str, now: datetime) -> StagedFile | None:
    """The staged upload `token` of this workspace and user, else None (unknown, another's, or expired)."""
    if not _TOKEN.match(token):
        return None
    folder = staging_root() / token
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("workspace") != workspace.pk or meta.get("user") != user_id:
        return None
    created = datetime.fromisoformat(meta["created_at"])
    if now - created > TTL:
        discard_folder(folder)
        return None
    return StagedFile(
        token,
        folder,
        meta["workspace"],
        meta["user"],
        meta["kind"],
        meta["filename"],
        int(meta.get("size", 0)),
        created,
        meta.get("report"),
    )


def discard(staged: StagedFile) -> None:
    discard_folder(staged.folder)


def discard_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def purge_expired(now: datetime) -> int:
    """Delete staged uploads older than TTL; the number deleted."""
    purged = 0
    for folder in staging_root().iterdir():
        meta = folder / _META
        try:
            created = datetime.fromisoformat(json.loads(meta.read_text(encoding="utf-8"))["created_at"])
        except (OSError, ValueError, KeyError):
            created = datetime.fromtimestamp(folder.stat().st_mtime, tz=now.tzinfo)
        if now - created > TTL:
            discard_folder(folder)
            purged += 1
    return purged


def run_import(workspace: Workspace, staged: StagedFile, dry_run: bool) -> ImportReport:
    """Import (or check, for a dry run) the staged file; the report names the file as the person named it.

    A file that cannot be read at all comes back as a report with one error on line 1 (the importer's
    all-or-nothing rule holds: nothing is written when there is any error)."""
    try:
        origin = ImportOrigin(via=ImportLog.WEB, by_id=staged.user_id, source=staged.filename)
        report = do_import(workspace, staged.kind, staged.path, dry_run=dry_run, origin=origin)
    except InvalidInput as exc:
        reason = str(exc).replace(f"{staged.path}: ", "").replace(str(staged.path), staged.filename)
        report = ImportReport(staged.kind, staged.filename, dry_run, errors=[RowError(1, "", "", reason)])
    report.file = staged.filename
    return report


def do_dry_run(workspace: Workspace, staged: StagedFile) -> ImportReport:
    """Check the staged file and keep the report with it, for the page that shows it."""
    report = run_import(workspace, staged, dry_run=True)
    staged.report = report.as_dict()
    staged.save()
    return report


def do_confirm(workspace: Workspace, staged: StagedFile) -> ImportReport:
    """Import the staged file for real: the importer checks every row again against the ledger as it is now
    and writes all of them or none. Imported, the staged file is deleted; refused, its report is updated."""
    report = run_import(workspace, staged, dry_run=False)
    if report.written:
        discard(staged)
    else:
        staged.report = report.as_dict()
        staged.save()
    return report
