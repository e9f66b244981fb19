"""The templates pages: the list with lint statuses, the editor's live lint and preview, saving, versions,
differences and restoring; who may do what."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from relance.accounts.models import Workspace
from relance.ledger.queries import workspace_today
from relance.mail.models import TemplateVersion
from relance.mail.rendering import BUILTIN_DIR
from relance.mail.rendering.environment import environment
from relance.mail.rendering.templates import template_version
from relance.mail.template_diff import CHANGE, DELETE, FOLD, INSERT, diff_sources
from relance.mail.template_store import do_save_template, origin, resolve_template
from relance.web.forms.templates import join_source, locate, retarget, split_source
from tests import factories as f

HTMX = {"HTTP_HX_REQUEST": "true"}
FIRST_FR = (BUILTIN_DIR / "first.fr.md").read_text(encoding="utf-8")
HEADER, BODY = split_source(FIRST_FR)
ACCUSATORY = "Votre négligence est inacceptable."


def edit_url(name: str = "first", language: str = "fr") -> str:
    return reverse("web:template_edit", args=[name, language])


def lint_url(name: str = "first", language: str = "fr") -> str:
    return reverse("web:template_lint", args=[name, language])


def preview_url(name: str = "first", language: str = "fr") -> str:
    return reverse("web:template_preview", args=[name, language])


def versions_url(name: str = "first", language: str = "fr") -> str:
    return reverse("web:template_versions", args=[name, language])


def restore_url(name: str = "first", language: str = "fr") -> str:
    return reverse("web:template_restore", args=[name, language])


def with_body_line(text: str) -> str:
    """The built-in first reminder's body with `text` as a paragraph after the greeting."""
    return BODY.replace("{{ contact.greeting }}\n", "{{ contact.greeting }}\n\n" + text + "\n", 1)


def save(workspace: Workspace, body: str) -> TemplateVersion:
    row, report = do_save_template(workspace, join_source(HEADER, body), name="first", language="fr")
    assert row is not None, report
    return row


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


# --- the editor's boxes ----------------------------------------------------------------------------------


def test_a_template_split_into_its_two_boxes_joins_back_byte_for_byte():
    assert join_source(HEADER, BODY) == FIRST_FR
    assert HEADER.startswith("stage: first") and BODY.lstrip().startswith("{% set inv")


def test_file_lines_map_to_the_box_and_line_the_user_sees():
    header_lines = HEADER.count("\n") + 1
    assert locate(HEADER, 2).part == "header" and locate(HEADER, 2).line == 1
    body_start = header_lines + 3
    place = locate(HEADER, body_start + 4)
    assert (place.part, place.line) == ("body", 5)


def test_retarget_renames_the_language_of_a_copy():
    copied = retarget(FIRST_FR, "first", "en")
    assert "language: en" in copied and "language: fr" not in copied


# --- the list --------------------------------------------------------------------------------------------


def test_the_list_shows_every_builtin_template_by_stage_for_a_viewer(viewer_client):
    response = viewer_client.get(reverse("web:templates"))
    assert response.status_code == 200
    page = response.content.decode()
    assert edit_url("first", "fr") in page and edit_url("final_warning", "en") in page
    assert "Built-in" in page
    assert "92 templates" in page
    assert reverse("web:templates_lint_status") in page  # statuses load after the page


def test_the_list_marks_a_customised_template_with_its_version_and_author(workspace, collector_client):
    collector_client.post(edit_url(), {"header": HEADER, "body": with_body_line("Merci de votre attention.")})
    page = collector_client.get(reverse("web:templates") + "?stage=first&language=fr").content.decode()
    row = re.search(r'<th scope="row"><a href="/templates/first/fr/edit/">first</a></th>.*?</tr>', page, re.S)
    assert row, page
    assert "Customised" in row.group(0) and "v1" in row.group(0) and "collector@acme.example" in row.group(0)


def test_the_list_filters_by_stage_language_and_source(viewer_client):
    page = viewer_client.get(reverse("web:templates") + "?stage=final&language=en", **HTMX).content.decode()
    names = set(re.findall(r"/templates/([a-z0-9_-]+)/(fr|en)/edit/", page))
    assert names == {("final", "en")}


def test_the_lint_status_of_each_template_is_computed_in_batches_then_cached(
    workspace, viewer_client, monkeypatch
):
    monkeypatch.setattr("relance.web.views.templates.LINT_BATCH_SECONDS", 0)  # one template per request
    url = reverse("web:templates_lint_status") + "?stage=first&language=fr"
    cells: dict[str, str] = {}
    for _ in range(10):
        html = viewer_client.get(url, **HTMX).content.decode()
        batch = re.findall(r'<span id="lint-([a-z0-9_-]+)" hx-swap-oob="true">(.*?)</span>\n', html, re.S)
        assert len(batch) == 1
        cells.update(batch)
        if 'id="lint-loader"' not in html:
            break
        assert 'hx-get="{}"'.format(url.replace("&", "&amp;")) in html  # the next batch asks for the rest
    assert set(cells) == {
        f"{name}-fr"
        for name in (
            "first",
            "first_casual",
            "first_long",
            "first_loss_aversion",
            "first_personalised",
            "first_short",
        )
    }
    assert "No findings" in cells["first-fr"]
    # Cached: the list now shows them at once and asks for nothing more.
    page = viewer_client.get(reverse("web:templates") + "?stage=first&language=fr").content.decode()
    assert 'id="lint-loader"' not in page and "checking" not in page


def test_the_lint_status_counts_the_errors_of_a_live_version(workspace, viewer_client):
    row = save(workspace, with_body_line("Merci."))
    # A version saved before a rule existed may have errors now: the list says so.
    source = join_source(HEADER, with_body_line(ACCUSATORY))
    TemplateVersion.objects.filter(pk=row.pk).update(source=source, sha=template_version(source.encode()))
    response = viewer_client.get(
        reverse("web:templates_lint_status") + "?stage=first&language=fr&q=first", **HTMX
    )
    cell = re.search(
        r'<span id="lint-first-fr" hx-swap-oob="true">(.*?)</span>\n', response.content.decode(), re.S
    )
    assert cell and "2 errors" in cell.group(1)


def test_the_list_never_shows_another_workspaces_templates(workspace, other_workspace, viewer_client):
    source = retarget(FIRST_FR, "globex-only", "fr").replace(
        "stage: first\n", "stage: first\nname: globex-only\n"
    )
    row, _ = do_save_template(other_workspace, source, name="globex-only", language="fr")
    assert row is not None
    page = viewer_client.get(reverse("web:templates")).content.decode()
    assert "globex-only" not in page
    assert viewer_client.get(versions_url("globex-only")).status_code == 404
    assert viewer_client.get(edit_url("globex-only")).status_code == 404


# --- the editor: live lint ---------------------------------------------------------------------------


def test_the_editor_shows_the_live_template_its_findings_and_a_sample_preview(viewer_client):
    response = viewer_client.get(edit_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert f'hx-post="{lint_url()}"' in page and "input changed delay:400ms" in page
    assert "stage: first" in page and "No findings" in page
    assert "FA-2026-0142" in page  # the sample invoice in the preview
    assert 'sandbox=""' in page


def test_a_viewer_reads_the_editor_without_a_save_button(viewer_client, collector_client):
    viewer_page = viewer_client.get(edit_url()).content.decode()
    assert "readonly" in viewer_page and 'value="save"' not in viewer_page
    collector_page = collector_client.get(edit_url()).content.decode()
    assert 'value="save"' in collector_page and "readonly" not in collector_page


def test_typing_accusatory_wording_produces_findings_and_fixing_it_removes_them(collector_client):
    bad = collector_client.post(lint_url(), {"header": HEADER, "body": with_body_line(ACCUSATORY)}, **HTMX)
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "tone.accusatory" in html and "tone.hostile" in html
    assert 'data-errors="2"' in html and "2 errors" in html
    assert "négligence" in html and "Body, line" in html
    fixed = collector_client.post(lint_url(), {"header": HEADER, "body": with_body_line("Merci.")}, **HTMX)
    assert "tone.accusatory" not in fixed.content.decode()
    assert 'data-errors="0"' in fixed.content.decode()


def test_a_jinja_syntax_error_is_shown_with_its_line_never_a_server_error(collector_client):
    broken = BODY.replace("{{ contact.greeting }}", "{{ contact.greeting }", 1)
    response = collector_client.post(lint_url(), {"header": HEADER, "body": broken}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "template syntax error" in html
    line = next(i for i, text in enumerate(broken.split("\n"), 1) if "{{ contact.greeting }" in text)
    assert f"Body, line {line}" in html


def test_a_broken_front_matter_names_the_header_line(collector_client):
    response = collector_client.post(lint_url(), {"header": HEADER + "\nsubjects: [", "body": BODY}, **HTMX)
    assert response.status_code == 200
    assert "not valid YAML" in response.content.decode() and "Header, line" in response.content.decode()


def test_without_javascript_check_and_preview_renders_the_whole_editor(collector_client):
    response = collector_client.post(preview_url(), {"header": HEADER, "body": with_body_line(ACCUSATORY)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" in page and "tone.accusatory" in page and "FA-2026-0142" in page


# --- the editor: preview -----------------------------------------------------------------------------


def test_the_preview_on_a_customer_shows_their_invoices_and_amounts(workspace, viewer_client):
    today = workspace_today(workspace, timezone.now())
    client = f.customer(workspace, "C42", name="Boulangerie Dupain")
    f.invoice(client, "F-2026-0501", today - timedelta(days=10), amount="1200.00")
    f.invoice(client, "F-2026-0502", today - timedelta(days=12), amount="345.60")
    data = {"header": HEADER, "body": BODY, "customer": client.pk}
    response = viewer_client.post(preview_url(), data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    money = environment("fr").filters["money"]
    assert "F-2026-0501" in html and "F-2026-0502" in html
    assert money(Decimal("1545.60"), "EUR") in html  # the total, as the message formats it
    assert "Boulangerie Dupain" in html and "FA-2026-0142" not in html


def test_the_preview_of_a_customer_without_open_invoices_falls_back_to_sample_data(workspace, viewer_client):
    client = f.customer(workspace, "C43", name="Tout Payé SARL")
    data = {"header": HEADER, "body": BODY, "customer": client.pk}
    html = viewer_client.post(preview_url(), data, **HTMX).content.decode()
    assert "no open invoice" in html and "FA-2026-0142" in html


def test_an_unknown_variable_is_a_render_error_with_its_line(viewer_client):
    body = with_body_line("Votre conseiller : {{ advisor.name }}")
    response = viewer_client.post(preview_url(), {"header": HEADER, "body": body}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    line = body.split("\n").index("Votre conseiller : {{ advisor.name }}") + 1
    assert "does not render" in html and "advisor" in html and f"Body, line {line}" in html


def test_the_html_preview_is_sandboxed_and_escaped_into_srcdoc(viewer_client):
    body = with_body_line("Nous <script>alert(1)</script> restons disponibles.")
    html = viewer_client.post(preview_url(), {"header": HEADER, "body": body}, **HTMX).content.decode()
    assert '<iframe class="preview" sandbox=""' in html
    assert "<script>alert(1)</script>" not in html  # inside srcdoc, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_another_workspaces_customer_cannot_be_previewed(workspace, other_workspace, viewer_client):
    stranger = f.customer(other_workspace, "G1", name="Globex Client")
    data = {"header": HEADER, "body": BODY, "customer": stranger.pk}
    assert viewer_client.post(preview_url(), data, **HTMX).status_code == 404


def test_the_customer_search_lists_only_this_workspaces_customers(workspace, other_workspace, viewer_client):
    f.customer(workspace, "C1", name="Atelier Morel")
    f.customer(other_workspace, "G1", name="Atelier Globex")
    html = viewer_client.get(reverse("web:template_customers") + "?q=atelier").content.decode()
    assert "Atelier Morel" in html and "Atelier Globex" not in html and "Sample data" in html


# --- saving ------------------------------------------------------------------------------------------


def test_saving_creates_a_version_by_the_collector(workspace, collector_client):
    body = with_body_line("Merci de votre confiance.")
    response = collector_client.post(edit_url(), {"header": HEADER, "body": body})
    assert response.status_code == 302 and response["Location"] == edit_url()
    row = TemplateVersion.objects.get(workspace=workspace, name="first", language="fr")
    assert row.version == 1 and row.created_by.username == "collector@acme.example"
    template = resolve_template(workspace, "first", "fr")
    assert origin(template) == "db" and "Merci de votre confiance." in template.body
    # The same text again makes no new version.
    collector_client.post(
        edit_url(), {"header": HEADER.replace("\n", "\r\n"), "body": body.replace("\n", "\r\n")}
    )
    assert TemplateVersion.objects.filter(workspace=workspace).count() == 1


def test_saving_with_lint_errors_is_refused_and_nothing_is_written(workspace, collector_client):
    response = collector_client.post(edit_url(), {"header": HEADER, "body": with_body_line(ACCUSATORY)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not saved" in page and "tone.accusatory" in page and ACCUSATORY in page
    assert not TemplateVersion.objects.exists()


def test_saving_a_template_that_does_not_parse_is_refused(workspace, collector_client):
    broken = BODY.replace("{% endif %}", "", 1)
    response = collector_client.post(edit_url(), {"header": HEADER, "body": broken})
    assert response.status_code == 400 and "Not saved" in response.content.decode()
    assert not TemplateVersion.objects.exists()


def test_a_viewer_cannot_save_a_template(workspace, viewer_client):
    response = viewer_client.post(edit_url(), {"header": HEADER, "body": with_body_line("Merci.")})
    assert response.status_code == 403
    assert not TemplateVersion.objects.exists()


def test_a_new_template_starts_as_a_copy_and_is_saved_under_its_name(workspace, collector_client):
    response = collector_client.get(reverse("web:template_new") + "?name=rappel-doux&language=fr&base=first")
    assert response.status_code == 302 and response["Location"] == edit_url("rappel-doux") + "?from=first"
    page = collector_client.get(response["Location"]).content.decode()
    assert "A new template" in page and "stage: first" in page
    saved = collector_client.post(edit_url("rappel-doux"), {"header": HEADER, "body": BODY})
    assert saved.status_code == 302
    assert TemplateVersion.objects.get(workspace=workspace, name="rappel-doux").version == 1


def test_a_new_template_with_a_bad_name_says_why(collector_client, viewer_client):
    response = collector_client.get(reverse("web:template_new") + "?name=Rappel Doux&language=fr&base=first")
    assert response.status_code == 400 and "lowercase letters" in response.content.decode()
    assert (
        viewer_client.get(reverse("web:template_new") + "?name=x&language=fr&base=first").status_code == 403
    )


def test_an_unknown_template_is_not_found(viewer_client):
    assert viewer_client.get(edit_url("nope")).status_code == 404
    assert viewer_client.get(edit_url("first", "xx1")).status_code == 404


# --- versions, differences, restoring ---------------------------------------------------------------------


def test_the_difference_between_versions_shows_inserted_and_deleted_text_escaped(workspace, viewer_client):
    save(workspace, with_body_line("Nous restons à votre écoute."))
    save(workspace, with_body_line("Nous <script>alert(1)</script> restons disponibles."))
    response = viewer_client.get(versions_url() + "?old=v1&new=v2")
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r"<ins>[^<]*&lt;script&gt;alert\(1\)&lt;/script&gt;", page)
    assert "<script>alert(1)</script>" not in page
    assert re.search(r"<del>[^<]*écoute[^<]*</del>", page) and re.search(r"<ins>[^<]*disponibles", page)


def test_the_versions_list_names_authors_and_the_live_one(workspace, collector_client):
    collector_client.post(edit_url(), {"header": HEADER, "body": with_body_line("Un.")})
    collector_client.post(edit_url(), {"header": HEADER, "body": with_body_line("Deux.")})
    page = collector_client.get(versions_url()).content.decode()
    assert "v2" in page and "v1" in page and "collector@acme.example" in page and "live" in page
    assert "Restore version 1" in page and "Restore version 2" not in page


def test_a_version_compares_with_the_builtin(workspace, viewer_client):
    save(workspace, with_body_line("Bien à vous."))
    page = viewer_client.get(versions_url() + "?old=builtin&new=v1").content.decode()
    assert re.search(r"<ins>Bien à vous\.</ins>", page)


def test_restoring_a_version_makes_it_live_as_a_new_version(workspace, collector_client):
    first = save(workspace, with_body_line("Un."))
    save(workspace, with_body_line("Deux."))
    response = collector_client.post(restore_url(), {"version": "v1"})
    assert response.status_code == 302
    latest = TemplateVersion.objects.filter(workspace=workspace).order_by("-version").first()
    assert latest is not None and latest.version == 3 and latest.source == first.source
    assert latest.created_by is not None


def test_restoring_the_builtin_saves_its_text_as_a_new_version(workspace, collector_client):
    save(workspace, with_body_line("Un."))
    collector_client.post(restore_url(), {"version": "builtin"})
    latest = TemplateVersion.objects.filter(workspace=workspace).order_by("-version").first()
    assert latest is not None and latest.version == 2 and latest.source == FIRST_FR


def test_a_viewer_cannot_restore(workspace, viewer_client):
    save(workspace, with_body_line("Un."))
    save(workspace, with_body_line("Deux."))
    assert viewer_client.post(restore_url(), {"version": "v1"}).status_code == 403
    assert TemplateVersion.objects.count() == 2


def test_restoring_an_unknown_version_is_not_found(workspace, collector_client):
    save(workspace, with_body_line("Un."))
    assert collector_client.post(restore_url(), {"version": "v9"}).status_code == 404


def test_another_workspaces_versions_are_not_listed(workspace, other_workspace, viewer_client):
    save(other_workspace, with_body_line("Chez Globex."))
    page = viewer_client.get(versions_url()).content.decode()
    assert "Chez Globex" not in page and "No saved version yet" in page


# --- the diff itself ---------------------------------------------------------------------------------------


def test_a_changed_word_is_one_deletion_and_one_insertion_inside_its_line():
    diff = diff_sources("a\nPayez vite.\nb", "a\nPayez bientôt.\nb")
    changed = [line for line in diff.lines if line.kind == CHANGE]
    assert len(changed) == 1 and str(changed[0].html) == "Payez <del>vite</del><ins>bientôt</ins>."
    assert (diff.inserted, diff.deleted) == (1, 1)


def test_added_and_removed_lines_are_escaped():
    diff = diff_sources("x\n<b>old</b>", "x\n<i>one</i>\n<i>two</i>")
    kinds = [line.kind for line in diff.lines]
    assert DELETE in kinds and INSERT in kinds
    html = "".join(str(line.html) for line in diff.lines)
    assert "&lt;b&gt;old&lt;/b&gt;" in html and "<b>" not in html and "&lt;i&gt;two&lt;/i&gt;" in html


def test_long_unchanged_runs_are_folded_around_the_change():
    old = "\n".join(f"line {n}" for n in range(1, 41))
    new = old.replace("line 20", "line twenty")
    diff = diff_sources(old, new)
    folds = [line for line in diff.lines if line.kind == FOLD]
    assert [fold.folded for fold in folds] == [16, 17]
    assert len(diff.lines) == 2 + 3 + 1 + 3  # two folds, three lines of context each side, the change


def test_identical_texts_have_no_difference():
    assert diff_sources("a\nb", "a\r\nb").identical


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for url in (reverse("web:templates"), edit_url(), versions_url()):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(lint_url(), {"header": HEADER, "body": BODY}).status_code == 302
