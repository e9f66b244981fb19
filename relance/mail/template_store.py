"""A workspace's own templates: which file or saved version renders a message, and saving new versions.

Resolution, for a (workspace, name, language): the workspace's saved template (its latest version) wins over
the RELANCE_TEMPLATES_DIR folder, which wins over the built-ins. Only when none of the three has the template
in the language asked for is the other language tried (fr <-> en; other languages fall back to en, then fr),
in the same order. The template's `version` (sha256[:12] of its bytes) is what a message records.

Saving (`do_save_template`) parses and lints first: a template with lint errors is not saved (the findings
are returned), warnings are allowed, and saving the live source again creates no new version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from relance.accounts.models import Workspace
from relance.engine.errors import InvalidInput
from relance.mail.models import TemplateVersion
from relance.mail.rendering.templates import (
    _DEFAULT_FALLBACK,
    BUILTIN_DIR,
    FALLBACK_LANGUAGES,
    LoadedTemplate,
    TemplateError,
    check_template_name,
    parse_template,
    read_front_matter,
    template_version,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from relance.engine.lint.model import LintReport

DB, FOLDER, BUILTIN = "db", "folder", "builtin"
# Saved templates are named in errors and in Jinja tracebacks as db:<workspace>/<name>.<language>.v<N>.md
DB_PREFIX = "db:"
FILE_NAME = re.compile(r"^(?P<name>[^.]+)\.(?P<language>[a-z]{2})\.md$")


def template_folders() -> list[Path]:
    """The user's template folder (RELANCE_TEMPLATES_DIR), when set."""
    from relance.conf import env

    folder = env("RELANCE_TEMPLATES_DIR", "")
    return [Path(folder)] if folder else []


def candidate_languages(language: str) -> tuple[str, ...]:
    return (language, *FALLBACK_LANGUAGES.get(language, _DEFAULT_FALLBACK))


def db_path(workspace: Workspace, name: str, language: str, version: int) -> Path:
    return Path(f"{DB_PREFIX}{workspace.slug}/{name}.{language}.v{version}.md")


def origin(template: LoadedTemplate) -> str:
    """Where a resolved template comes from: "db", "folder" or "builtin"."""
    if template.builtin:
        return BUILTIN
    return DB if str(template.path).startswith(DB_PREFIX) else FOLDER


def resolve_template(
    workspace: Workspace, name: str, language: str, folders: list[Path] | None = None
) -> LoadedTemplate:
    """The template that renders `name` in `language` for `workspace` (see the module docstring).

    Raises TemplateError when no saved version, folder file or built-in has it in any candidate language.
    """
    check_template_name(name, language)
    candidates = candidate_languages(language)
    saved = _latest_saved(workspace, name, candidates)
    places = [Path(folder) for folder in (template_folders() if folders is None else folders)]
    places.append(BUILTIN_DIR)
    for candidate in candidates:
        if candidate in saved:
            pk, version, sha = saved[candidate]
            return _saved_template(workspace, name, candidate, pk, version, sha, language)
        for place in places:
            path = place / f"{name}.{candidate}.md"
            if path.is_file():
                builtin = place == BUILTIN_DIR
                return parse_template(path.read_bytes(), name, candidate, path, language, builtin=builtin)
    searched = ", ".join(["saved templates", *(str(place) for place in places)])
    raise TemplateError(f"no template {name}.{language} (nor a fallback language) in: {searched}")


def _latest_saved(
    workspace: Workspace, name: str, languages: tuple[str, ...]
) -> dict[str, tuple[int, int, str]]:
    """(pk, version, sha) of the live version of `name` in each of `languages` that has one.

    Raw SQL on purpose: the daily run asks once per message, and the ORM would cost a quarter of the
    rendering; this costs about 15 µs. Nothing is cached, so a version saved a moment ago is used at once.
    """
    table = connection.ops.quote_name(TemplateVersion._meta.db_table)
    marks = ", ".join(["%s"] * len(languages))
    query = (
        f"SELECT language, id, version, sha FROM {table} "
        f"WHERE workspace_id = %s AND name = %s AND language IN ({marks}) ORDER BY language, version DESC"
    )
    latest: dict[str, tuple[int, int, str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(query, [workspace.pk, name, *languages])
        for language, pk, version, sha in cursor.fetchall():
            latest.setdefault(language, (pk, version, sha))
    return latest


def _saved_template(
    workspace: Workspace, name: str, language: str, pk: int, version: int, sha: str, requested: str
) -> LoadedTemplate:
    path = db_path(workspace, name, language, version)
    return _parse_saved(pk, sha, str(path), name, language, requested)


@lru_cache(maxsize=256)
def _parse_saved(pk: int, sha: str, path: str, name: str, language: str, requested: str) -> LoadedTemplate:
    # A saved version never changes: its source is read and parsed once per process (the sha is in the key,
    # so a row that took the id of a rolled-back one is read afresh).
    source = TemplateVersion.objects.values_list("source", flat=True).get(pk=pk)
    return parse_template(source, name, language, Path(path), requested)


# --- identifying and reading template files -----------------------------------------------------------


def name_from_filename(filename: str | Path) -> tuple[str | None, str | None]:
    """(name, language) from `<name>.<language>.md`; (None, None) for any other file name."""
    match = FILE_NAME.match(Path(filename).name)
    return (match["name"], match["language"]) if match else (None, None)


def normalise_source(source: str) -> str:
    """What is stored and hashed: no byte-order mark, LF line ends (a browser's textarea sends CRLF)."""
    return source.removeprefix("\ufeff").replace("\r\n", "\n")


def identify(
    source: str, path: Path, name: str | None = None, language: str | None = None
) -> tuple[str, str]:
    """A template's (name, language): given ones first, then the file name `<name>.<language>.md` (as in a
    template folder), then the front matter's `name:` and `language:`. When the front matter says otherwise
    than the name chosen, parsing the template fails naming the line.

    Raises InvalidInput when none says, or when the front matter cannot be read.
    """
    file_name, file_language = name_from_filename(path)
    name, language = name or file_name, language or file_language
    if not (name and language):
        try:
            meta = read_front_matter(source, path)
        except TemplateError as exc:
            raise InvalidInput(str(exc)) from exc
        name = name or _text(meta.get("name"))
        language = language or _text(meta.get("language"))
    if not name or not language:
        raise InvalidInput(
            f"{path}: no template name or language: put `name:` and `language:` in the front matter "
            "or name the file <name>.<language>.md (e.g. first.fr.md)"
        )
    try:
        check_template_name(name, language)
    except TemplateError as exc:
        raise InvalidInput(f"{path}: {exc}") from exc
    return name, language


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_source(
    source: str, path: Path, name: str | None = None, language: str | None = None
) -> LoadedTemplate:
    """Parse a template's text; every template error becomes InvalidInput naming the file and line."""
    source = normalise_source(source)
    name, language = identify(source, path, name, language)
    try:
        return parse_template(source, name, language, path)
    except TemplateError as exc:
        raise InvalidInput(str(exc)) from exc


def read_template_file(path: Path) -> LoadedTemplate:
    try:
        source = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    return parse_source(source, path)


# --- saving -----------------------------------------------------------------------------------------------


def do_save_template(
    workspace: Workspace,
    source: str,
    *,
    name: str | None = None,
    language: str | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    filename: str | Path | None = None,
) -> tuple[TemplateVersion | None, LintReport]:
    """Lint `source` and, when it has no lint error, save it as the new live version.

    Name and language come from the arguments, else `filename` (`<name>.<language>.md`), else the front
    matter (`name:`, `language:`). A template that does not parse or render raises InvalidInput
    (naming the line). With lint errors nothing is written and the version is None: the report says why.
    Saving the live source again returns the live version (`was_created` False) and writes nothing.
    """
    from relance.mail.template_lint import lint_template

    source = normalise_source(source)
    display = Path(filename) if filename else Path("<template>")
    template = parse_source(source, display, name, language)
    try:
        report = lint_template(
            template, sender=workspace.sender, country=workspace.country or "FR", reply_to=workspace.reply_to
        )
    except TemplateError as exc:
        raise InvalidInput(str(exc)) from exc
    if report.errors:
        return None, report
    sha = template_version(source.encode("utf-8"))
    with transaction.atomic():
        # One saver at a time per workspace: version numbers never collide.
        list(Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk", flat=True))
        live = (
            TemplateVersion.objects.filter(
                workspace=workspace, name=template.name, language=template.language
            )
            .order_by("-version")
            .first()
        )
        if live is not None and live.sha == sha and live.source == source:
            live.was_created = False
            return live, report
        row = TemplateVersion.objects.create(
            workspace=workspace,
            name=template.name,
            language=template.language,
            version=(live.version + 1) if live else 1,
            source=source,
            sha=sha,
            stage=template.stage,
            created_by_id=user.pk if user is not None and user.is_authenticated else None,
            lint_score=report.score,
        )
    row.was_created = True
    return row, report


# --- listing ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateEntry:
    """One (name, language) and where its live template comes from."""

    name: str
    language: str
    origin: str  # db | folder | builtin
    sha: str
    version: int | None  # the saved version number (db only)
    stage: str
    path: str
    error: str = ""  # a folder file that does not parse

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "language": self.language,
            "source": self.origin,
            "version": self.version,
            "sha": self.sha,
            "stage": self.stage,
            "path": self.path,
        }
        if self.error:
            data["error"] = self.error
        return data


def list_templates(workspace: Workspace) -> list[TemplateEntry]:
    """Every (name, language) the workspace can render, each with its live template, sorted by name."""
    entries: dict[tuple[str, str], TemplateEntry] = {}
    for row in TemplateVersion.objects.filter(workspace=workspace).order_by("name", "language", "-version"):
        key = (row.name, row.language)
        if key not in entries:
            path = db_path(workspace, row.name, row.language, row.version)
            entries[key] = TemplateEntry(
                row.name, row.language, DB, row.sha, row.version, row.stage, str(path)
            )
    places = [(folder, FOLDER) for folder in template_folders()] + [(BUILTIN_DIR, BUILTIN)]
    for place, kind in places:
        for path in sorted(place.glob("*.md")) if place.is_dir() else []:
            name, language = name_from_filename(path)
            if not name or not language or (name, language) in entries:
                continue
            entries[(name, language)] = _file_entry(path, name, language, kind)
    return [entries[key] for key in sorted(entries)]


def _file_entry(path: Path, name: str, language: str, kind: str) -> TemplateEntry:
    data = path.read_bytes()
    try:
        stage = parse_template(data, name, language, path, builtin=kind == BUILTIN).stage
        error = ""
    except TemplateError as exc:
        stage, error = "", str(exc)
    return TemplateEntry(name, language, kind, template_version(data), None, stage, str(path), error)


def template_versions(workspace: Workspace, name: str, language: str | None = None) -> list[TemplateVersion]:
    """The saved versions of `name` (in `language` when given), newest first."""
    rows = TemplateVersion.objects.filter(workspace=workspace, name=name).select_related("created_by")
    if language:
        rows = rows.filter(language=language)
    return list(rows.order_by("language", "-version"))
