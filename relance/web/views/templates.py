"""The templates pages: the list, the editor (live lint and preview), the versions and their differences."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from relance.accounts.models import Role, Workspace
from relance.engine.errors import InvalidInput
from relance.engine.lint.model import SAAS_STAGES, STAGES, LintReport
from relance.ledger.models import Customer
from relance.ledger.queries import workspace_today
from relance.mail.models import TemplateVersion
from relance.mail.preview_context import customer_context
from relance.mail.rendering import BUILTIN_DIR, LoadedTemplate, Rendered, sample_context
from relance.mail.rendering import render as render_mail
from relance.mail.rendering.templates import (
    TemplateError,
    check_template_name,
    parse_template,
    template_version,
)
from relance.mail.template_diff import diff_sources
from relance.mail.template_lint import lint_template
from relance.mail.template_store import (
    BUILTIN,
    DB,
    FOLDER,
    do_save_template,
    name_from_filename,
    normalise_source,
    origin,
    resolve_template,
    template_folders,
    template_versions,
)
from relance.web.access import can, require_role, workspace_of
from relance.web.forms.templates import (
    NewTemplateForm,
    Place,
    TemplateSourceForm,
    join_source,
    locate,
    retarget,
    split_source,
)

LANGUAGES = ("fr", "en")
SOURCES = (DB, FOLDER, BUILTIN)
CUSTOMER_CHOICES = 20
# Lint statuses are computed in batches after the list page has loaded: parsing and linting a template costs
# 10 to 60 ms (the 92 built-ins: one to five seconds), too slow for the page itself. A batch stops when its
# time is spent, so that each request stays under 300 ms whatever the load of the machine.
LINT_BATCH_SECONDS = 0.2
LINT_CACHE_SECONDS = 7 * 24 * 3600


STAGE_LABELS = {
    "pre_due": _lazy("Before the due date"),
    "first": _lazy("First reminder"),
    "second": _lazy("Second reminder"),
    "final": _lazy("Final notice"),
    "payment_plan": _lazy("Payment plan"),
    "card_expiring": _lazy("Card expiring"),
    "payment_failed_1": _lazy("Payment failed (first attempt)"),
    "payment_failed_2": _lazy("Payment failed (second attempt)"),
    "payment_failed_3": _lazy("Payment failed (third attempt)"),
    "alternative": _lazy("Alternatives before cancelling"),
    "final_warning": _lazy("Final warning"),
}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- the list ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateRow:
    """One (name, language) the workspace can render, and where its live template comes from."""

    name: str
    language: str
    origin: str  # db | folder | builtin
    stage: str
    sha: str
    version: int | None = None  # the live saved version (db only)
    edited_at: datetime | None = None
    edited_by: str = ""
    customised: bool = False  # a saved version over a built-in or folder file of the same key

    @property
    def key(self) -> str:
        return f"{self.name}-{self.language}"

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS.get(self.stage, self.stage or "?"))

    @property
    def stage_rank(self) -> int:
        return STAGES.index(self.stage) if self.stage in STAGES else len(STAGES)


@dataclass(frozen=True)
class LintStatus:
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    score: int | None = None
    problem: str = ""  # the template could not be linted (it does not parse or render on sample data)


_STAGE_LINE = re.compile(r"""^stage:[ \t]*["']?([A-Za-z0-9_-]+)""", re.MULTILINE)


@lru_cache(maxsize=1024)
def _file_facts(path: str, mtime_ns: int, size: int) -> tuple[str, str]:
    """(sha, stage) of a template file, read once per version of the file. The stage is read from its line
    in the front matter: parsing and compiling every file would cost the list more than half a second."""
    data = Path(path).read_bytes()
    header, _body = split_source(data.decode("utf-8", "replace"))
    match = _STAGE_LINE.search(header)
    return template_version(data), match.group(1) if match else ""


def template_rows(workspace: Workspace) -> list[TemplateRow]:
    """Every template of the workspace (saved, folder, built-in: the first one wins), by stage and name."""
    rows: dict[tuple[str, str], TemplateRow] = {}
    saved = (
        TemplateVersion.objects.filter(workspace=workspace)
        .order_by("name", "language", "-version")
        .values_list("name", "language", "version", "sha", "stage", "created_at", "created_by__username")
    )
    for name, language, version, sha, stage, created_at, username in saved:
        if (name, language) not in rows:
            rows[(name, language)] = TemplateRow(
                name, language, DB, stage, sha, version, created_at, username or ""
            )
    places = [(folder, FOLDER) for folder in template_folders()] + [(BUILTIN_DIR, BUILTIN)]
    for place, kind in places:
        for path in sorted(place.glob("*.md")) if place.is_dir() else []:
            file_name, file_language = name_from_filename(path)
            if not file_name or not file_language:
                continue
            key = (file_name, file_language)
            if key in rows:
                if rows[key].origin == DB and not rows[key].customised:
                    rows[key] = replace(rows[key], customised=True)
                continue
            stat = path.stat()
            sha, stage = _file_facts(str(path), stat.st_mtime_ns, stat.st_size)
            rows[key] = TemplateRow(file_name, file_language, kind, stage, sha)
    return sorted(rows.values(), key=lambda r: (r.stage_rank, r.stage, r.name, r.language))


def _lint_key(workspace: Workspace, row: TemplateRow) -> str:
    # What the findings depend on: the template's bytes and the workspace's sender, reply-to and country.
    parts = (row.name, row.language, row.sha, workspace.sender, workspace.reply_to, workspace.country)
    return "relance:web:lint:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def lint_status(workspace: Workspace, row: TemplateRow) -> LintStatus:
    """Lint the live template of `row` (and keep the counts in the cache)."""
    try:
        template = resolve_template(workspace, row.name, row.language)
        report = _lint(workspace, template)
        status = LintStatus(len(report.errors), len(report.warnings), len(report.infos), report.score)
    except TemplateError as exc:
        status = LintStatus(problem=str(exc.message))
    cache.set(_lint_key(workspace, row), status, LINT_CACHE_SECONDS)
    return status


def _lint(workspace: Workspace, template: LoadedTemplate) -> LintReport:
    return lint_template(
        template, sender=workspace.sender, country=workspace.country or "FR", reply_to=workspace.reply_to
    )


def _filters(request: HttpRequest) -> dict[str, str]:
    stage = request.GET.get("stage", "")
    language = request.GET.get("language", "")
    source = request.GET.get("source", "")
    return {
        "stage": stage if stage in STAGES else "",
        "language": language if language in LANGUAGES else "",
        "source": source if source in SOURCES else "",
        "q": request.GET.get("q", "").strip()[:100],
    }


def _filtered(rows: list[TemplateRow], filters: dict[str, str]) -> list[TemplateRow]:
    return [
        row
        for row in rows
        if (not filters["stage"] or row.stage == filters["stage"])
        and (not filters["language"] or row.language == filters["language"])
        and (not filters["source"] or row.origin == filters["source"])
        and (not filters["q"] or filters["q"].lower() in row.name)
    ]


@require_GET
@require_role(Role.VIEWER)
def template_list(request: HttpRequest) -> HttpResponse:
    workspace = workspace_of(request)
    filters = _filters(request)
    every = template_rows(workspace)
    rows = _filtered(every, filters)
    statuses = cache.get_many([_lint_key(workspace, row) for row in rows])
    listed = [(row, statuses.get(_lint_key(workspace, row))) for row in rows]
    context = {
        "rows": listed,
        "filters": filters,
        "stages": STAGES,
        "pending": any(status is None for _, status in listed),
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "new_form": NewTemplateForm(),
        "bases": sorted({row.name for row in every}),
    }
    name = "web/templates/_rows.html" if _is_htmx(request) else "web/templates/list.html"
    return render(request, name, context)


@require_GET
@require_role(Role.VIEWER)
def template_lint_status(request: HttpRequest) -> HttpResponse:
    """The lint status of the listed templates that have none in the cache yet, a batch at a time: the
    cells are swapped in out of band, and a new loader asks for the next batch while some are missing."""
    workspace = workspace_of(request)
    filters = _filters(request)
    rows = _filtered(template_rows(workspace), filters)
    known = cache.get_many([_lint_key(workspace, row) for row in rows])
    missing = [row for row in rows if _lint_key(workspace, row) not in known]
    deadline = time.perf_counter() + LINT_BATCH_SECONDS
    done = []
    for row in missing:
        done.append((row, lint_status(workspace, row)))
        if time.perf_counter() > deadline:
            break
    context = {
        "done": done,
        "more": len(done) < len(missing),
        "query": urlencode({k: v for k, v in filters.items() if v}),
    }
    return render(request, "web/templates/_lint_status.html", context)


@require_GET
@require_role(Role.COLLECTOR)
def template_new(request: HttpRequest) -> HttpResponse:
    """Start a template of the workspace's own: the editor opens on a copy of the chosen one."""
    workspace = workspace_of(request)
    form = NewTemplateForm(request.GET)
    if form.is_valid():
        name, language, base = (form.cleaned_data[k] for k in ("name", "language", "base"))
        try:
            resolve_template(workspace, base, language)
        except TemplateError:
            form.add_error("base", _("No template is named %(name)s.") % {"name": base})
        else:
            url = reverse("web:template_edit", args=[name, language])
            if not _exists(workspace, name, language):
                url += "?" + urlencode({"from": base})
            return redirect(url)
    rows = template_rows(workspace)
    context = {"new_form": form, "bases": sorted({row.name for row in rows})}
    return render(request, "web/templates/new.html", context, status=400)


def _exists(workspace: Workspace, name: str, language: str) -> bool:
    try:
        template = resolve_template(workspace, name, language)
    except TemplateError:
        return False
    return not template.is_fallback


# --- the editor -------------------------------------------------------------------------------------------


@dataclass
class Problem:
    """Something that stopped parsing, linting or rendering, with where it is in the editor."""

    message: str
    place: Place | None = None


@dataclass
class EditorState:
    """What the editor shows for a source: the parsed template, its findings, its preview, or the errors."""

    name: str
    language: str
    header: str
    body: str
    template: LoadedTemplate | None = None
    parse_error: Problem | None = None
    report: LintReport | None = None
    lint_problem: Problem | None = None
    rendered: Rendered | None = None
    preview_problem: Problem | None = None
    customer: Customer | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return join_source(self.header, self.body)

    def findings(self) -> list[dict[str, Any]]:
        """The findings with their place in the editor (header or body box, line, column)."""
        if self.report is None:
            return []
        listed = []
        for finding in self.report.findings:
            place = locate(self.header, finding.line)
            listed.append({"finding": finding, "place": place})
        return listed


def _problem(header: str, exc: TemplateError) -> Problem:
    return Problem(exc.message, locate(header, exc.line))


def evaluate(
    workspace: Workspace,
    name: str,
    language: str,
    header: str,
    body: str,
    *,
    lint: bool = True,
    preview: bool = True,
    customer: Customer | None = None,
    today: date | None = None,
) -> EditorState:
    """Parse the edited source; lint it and render its preview (for `customer`, else on sample data)."""
    state = EditorState(name, language, header.replace("\r\n", "\n"), body.replace("\r\n", "\n"))
    state.customer = customer
    source = normalise_source(state.source)
    try:
        state.template = parse_template(source, name, language, Path(f"{name}.{language}.md"))
    except TemplateError as exc:
        state.parse_error = _problem(state.header, exc)
        return state
    if lint:
        try:
            state.report = _lint(workspace, state.template)
        except TemplateError as exc:
            state.lint_problem = _problem(state.header, exc)
    if preview:
        _preview(workspace, state, state.template, customer, today)
    return state


def _preview(
    workspace: Workspace,
    state: EditorState,
    template: LoadedTemplate,
    customer: Customer | None,
    today: date | None,
) -> None:
    context = None
    if customer is not None and template.stage in SAAS_STAGES:
        state.notes.append(
            _("Subscription templates are previewed with sample data: customers have no plan.")
        )
        customer = state.customer = None
    if customer is not None:
        try:
            day = today or workspace_today(workspace, timezone.now())
            context = customer_context(workspace, customer, template.stage, day)
        except InvalidInput:
            state.notes.append(
                _("%(customer)s has no open invoice to chase: the preview uses sample data.")
                % {"customer": customer.name}
            )
            state.customer = None
    if context is None:
        context = sample_context(template.language, template.stage)
    try:
        state.rendered = render_mail(template, context)
    except TemplateError as exc:
        state.preview_problem = _problem(state.header, exc)


def _key_or_404(name: str, language: str) -> None:
    try:
        check_template_name(name, language)
    except TemplateError:
        raise Http404("no such template") from None


def _customer(request: HttpRequest, value: object) -> Customer | None:
    if not value:
        return None
    try:
        pk = int(str(value))
    except ValueError:
        return None
    customer = Customer.objects.filter(workspace=workspace_of(request), pk=pk).first()
    if customer is None:
        raise Http404("no such customer")
    return customer


def _customers(workspace: Workspace, query: str = "") -> list[Customer]:
    rows = Customer.objects.filter(workspace=workspace)
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(external_id__istartswith=query))
    return list(rows.order_by("name", "pk").only("pk", "name", "external_id")[:CUSTOMER_CHOICES])


def _live(
    workspace: Workspace, name: str, language: str
) -> tuple[LoadedTemplate | None, TemplateVersion | None]:
    """The live template of the key (None when it has none in this language) and its saved row."""
    try:
        template = resolve_template(workspace, name, language)
    except TemplateError:
        return None, None
    if template.is_fallback:
        return template, None
    row = None
    if origin(template) == DB:
        row = (
            TemplateVersion.objects.filter(workspace=workspace, name=name, language=language)
            .select_related("created_by")
            .order_by("-version")
            .first()
        )
    return template, row


def _editor_page(
    request: HttpRequest, state: EditorState, status: int = 200, error: str = ""
) -> HttpResponse:
    workspace = workspace_of(request)
    live, row = _live(workspace, state.name, state.language)
    context = {
        "state": state,
        "form": TemplateSourceForm(initial={"header": state.header, "body": state.body}),
        "live": live if live is not None and not live.is_fallback else None,
        "live_origin": origin(live) if live is not None and not live.is_fallback else "",
        "live_row": row,
        "fallback": live if live is not None and live.is_fallback else None,
        "customers": _customers(workspace),
        "save_error": error,
        "has_versions": TemplateVersion.objects.filter(
            workspace=workspace, name=state.name, language=state.language
        ).exists(),
    }
    return render(request, "web/templates/edit.html", context, status=status)


@require_role(Role.VIEWER)
def template_edit(request: HttpRequest, name: str, language: str) -> HttpResponse:
    """GET: the editor on the live template (or, with ?from=NAME, on a copy of another one).
    POST (collectors): save the edited source as a new version; lint errors refuse it, as the CLI does."""
    _key_or_404(name, language)
    workspace = workspace_of(request)
    if request.method == "POST":
        return _save(request, workspace, name, language)
    if request.method != "GET":
        return HttpResponse(status=405)
    base = request.GET.get("from", "")
    live, _row = _live(workspace, name, language)
    if base:
        try:
            source = retarget(resolve_template(workspace, base, language).source, name, language)
        except TemplateError:
            raise Http404("no such template") from None
    elif live is None:
        raise Http404("no such template")
    else:
        source = retarget(live.source, name, language) if live.is_fallback else live.source
    header, body = split_source(source)
    state = evaluate(
        workspace, name, language, header, body, today=workspace_today(workspace, timezone.now())
    )
    return _editor_page(request, state)


def _save(request: HttpRequest, workspace: Workspace, name: str, language: str) -> HttpResponse:
    if not can(request, Role.COLLECTOR):
        raise PermissionDenied("saving a template needs the collector role")
    form = TemplateSourceForm(request.POST)
    form.is_valid()
    header, body = form.cleaned_data.get("header") or "", form.cleaned_data.get("body") or ""
    today = workspace_today(workspace, timezone.now())
    state = evaluate(workspace, name, language, header, body, preview=False, today=today)
    if state.parse_error is not None:
        return _editor_page(request, state, 400, _("Not saved: the template does not parse."))
    try:
        row, report = do_save_template(
            workspace, state.source, name=name, language=language, user=request.user
        )
    except InvalidInput as exc:
        return _editor_page(request, state, 400, _("Not saved: %(error)s") % {"error": exc})
    if row is None:
        state.report = report
        count = len(report.errors)
        message = _("Not saved: the linter found %(count)d error(s). Fix them, then save again.") % {
            "count": count
        }
        return _editor_page(request, state, 400, message)
    if row.was_created:
        messages.success(request, _("Saved %(name)s (%(language)s) as version %(version)d.") % _labels(row))
    else:
        messages.info(
            request, _("Nothing changed: version %(version)d already has this text.") % _labels(row)
        )
    return redirect("web:template_edit", name=name, language=language)


def _labels(row: TemplateVersion) -> dict[str, Any]:
    return {"name": row.name, "language": row.language, "version": row.version}


def _posted_state(
    request: HttpRequest, name: str, language: str, *, lint: bool, preview: bool
) -> EditorState:
    workspace = workspace_of(request)
    form = TemplateSourceForm(request.POST)
    form.is_valid()
    customer = _customer(request, request.POST.get("customer"))
    return evaluate(
        workspace,
        name,
        language,
        form.cleaned_data.get("header") or "",
        form.cleaned_data.get("body") or "",
        lint=lint,
        preview=preview,
        customer=customer,
        today=workspace_today(workspace, timezone.now()),
    )


@require_POST
@require_role(Role.VIEWER)
def template_lint(request: HttpRequest, name: str, language: str) -> HttpResponse:
    """The linter's findings on the edited text (a partial for htmx; the whole editor without JavaScript).
    Nothing is written: a viewer may check wording too."""
    _key_or_404(name, language)
    htmx = _is_htmx(request)
    state = _posted_state(request, name, language, lint=True, preview=not htmx)
    if htmx:
        return render(request, "web/templates/_lint.html", {"state": state})
    return _editor_page(request, state)


@require_POST
@require_role(Role.VIEWER)
def template_preview(request: HttpRequest, name: str, language: str) -> HttpResponse:
    """The edited template rendered for the chosen customer (their open invoices), else on sample data."""
    _key_or_404(name, language)
    htmx = _is_htmx(request)
    state = _posted_state(request, name, language, lint=not htmx, preview=True)
    if htmx:
        return render(request, "web/templates/_preview.html", {"state": state})
    return _editor_page(request, state)


@require_GET
@require_role(Role.VIEWER)
def template_customers(request: HttpRequest) -> HttpResponse:
    """The customers the preview can use: the first 20 whose name or id matches the search."""
    workspace = workspace_of(request)
    query = request.GET.get("q", "").strip()[:100]
    selected = _customer(request, request.GET.get("customer"))
    customers = _customers(workspace, query)
    if selected is not None and selected not in customers:
        customers.insert(0, selected)
    context = {"customers": customers, "selected": selected}
    return render(request, "web/templates/_customer_options.html", context)


# --- versions ---------------------------------------------------------------------------------------------


def _file_source(name: str, language: str, kind: str) -> str | None:
    places = template_folders() if kind == FOLDER else [BUILTIN_DIR]
    for place in places:
        path = Path(place) / f"{name}.{language}.md"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


def _sources(
    workspace: Workspace, name: str, language: str, rows: list[TemplateVersion]
) -> dict[str, tuple[str, str]]:
    """Every text of the key that can be compared: label -> (title, source), newest first."""
    sources: dict[str, tuple[str, str]] = {}
    for row in rows:
        sources[f"v{row.version}"] = (_("Version %(version)d") % {"version": row.version}, row.source)
    folder = _file_source(name, language, FOLDER)
    if folder is not None:
        sources[FOLDER] = (_("Template folder file"), folder)
    builtin = _file_source(name, language, BUILTIN)
    if builtin is not None:
        sources[BUILTIN] = (_("Built-in"), builtin)
    return sources


@require_GET
@require_role(Role.VIEWER)
def template_versions_page(request: HttpRequest, name: str, language: str) -> HttpResponse:
    """The saved versions, newest first, and the differences between any two texts (?old=...&new=...)."""
    _key_or_404(name, language)
    workspace = workspace_of(request)
    rows = template_versions(workspace, name, language)
    sources = _sources(workspace, name, language, rows)
    if not sources:
        raise Http404("no such template")
    labels = list(sources)
    new = request.GET.get("new", "")
    old = request.GET.get("old", "")
    new = new if new in sources else labels[0]
    if old not in sources:
        others = [label for label in labels if label != new]
        old = others[0] if others else new
    diff = diff_sources(sources[old][1], sources[new][1])
    context = {
        "name": name,
        "language": language,
        "rows": rows,
        "live_pk": rows[0].pk if rows else None,
        "choices": [(label, title) for label, (title, _source) in sources.items()],
        "old": old,
        "new": new,
        "old_title": sources[old][0],
        "new_title": sources[new][0],
        "diff": diff,
        "has_builtin": BUILTIN in sources,
        "has_folder": FOLDER in sources,
    }
    return render(request, "web/templates/versions.html", context)


@require_POST
@require_role(Role.COLLECTOR)
def template_restore(request: HttpRequest, name: str, language: str) -> HttpResponse:
    """Make an older version (or the built-in, or the folder's file) live again, as a new version."""
    _key_or_404(name, language)
    workspace = workspace_of(request)
    rows = template_versions(workspace, name, language)
    sources = _sources(workspace, name, language, rows)
    wanted = request.POST.get("version", "")
    if wanted not in sources:
        raise Http404("no such version")
    title, source = sources[wanted]
    try:
        row, report = do_save_template(workspace, source, name=name, language=language, user=request.user)
    except InvalidInput as exc:
        messages.error(request, _("Not restored: %(error)s") % {"error": exc})
        return redirect("web:template_versions", name=name, language=language)
    if row is None:
        messages.error(
            request,
            _(
                "Not restored: the linter now finds %(count)d error(s) in %(title)s. "
                "Open it in the editor to fix them."
            )
            % {"count": len(report.errors), "title": title},
        )
    elif row.was_created:
        messages.success(
            request,
            _("%(title)s restored as version %(version)d.") % {"title": title, "version": row.version},
        )
    else:
        messages.info(request, _("%(title)s is already the live text.") % {"title": title})
    return redirect("web:template_versions", name=name, language=language)
