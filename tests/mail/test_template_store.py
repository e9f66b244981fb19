"""A workspace's own templates: resolution order, versions, lint errors that block saving, the admin."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from relance.dunning.actions import do_run
from relance.engine.errors import InvalidInput
from relance.mail.models import Message, TemplateVersion
from relance.mail.rendering import BUILTIN_DIR
from relance.mail.rendering.templates import template_version
from relance.mail.template_store import do_save_template, list_templates, origin, resolve_template
from tests import factories as f
from tests.mail.test_template_lint import BAD_FR, GOOD_FR, WARNING_FR, with_subject

FOLDER_MARK = "dossier de l'utilisateur"


def edited(marker: str) -> str:
    """The built-in first reminder, named in its front matter, with `marker` ending its first subject."""
    source = with_subject(GOOD_FR, f"Facture {{{{ invoices[0].number }}}} : rappel {marker}")
    return source.replace("stage: first\n", "name: first\nstage: first\n", 1)


@pytest.fixture
def folder(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RELANCE_TEMPLATES_DIR", str(tmp_path))
    (tmp_path / "first.fr.md").write_text(edited("dossier"), encoding="utf-8")
    return tmp_path


def test_builtin_when_nothing_else(workspace, monkeypatch):
    monkeypatch.delenv("RELANCE_TEMPLATES_DIR", raising=False)
    template = resolve_template(workspace, "first", "fr")
    assert origin(template) == "builtin"
    assert template.version == template_version((BUILTIN_DIR / "first.fr.md").read_bytes())


def test_the_folder_beats_the_builtin_and_a_saved_version_beats_the_folder(workspace, folder):
    assert origin(resolve_template(workspace, "first", "fr")) == "folder"
    row, report = do_save_template(workspace, edited("enregistré"))
    assert row is not None, report
    template = resolve_template(workspace, "first", "fr")
    assert origin(template) == "db"
    assert template.version == row.sha
    assert "rappel enregistré" in template.subjects[0]
    # The other language is untouched: its built-in is still used.
    assert origin(resolve_template(workspace, "first", "en")) == "builtin"


def test_the_latest_version_is_live(workspace):
    first, _ = do_save_template(workspace, edited("un"))
    second, _ = do_save_template(workspace, edited("deux"))
    assert first and second and (first.version, second.version) == (1, 2)
    assert resolve_template(workspace, "first", "fr").version == second.sha


def test_a_saved_version_belongs_to_its_workspace(workspace):
    from relance.accounts.models import Workspace

    other = Workspace.objects.create(slug="other", name="Other", sender="a@other.example")
    do_save_template(workspace, edited("à nous"))
    assert origin(resolve_template(other, "first", "fr")) == "builtin"


def test_the_requested_language_in_a_file_beats_a_saved_version_in_the_other(workspace):
    do_save_template(workspace, edited("fr"))
    assert origin(resolve_template(workspace, "first", "en")) == "builtin"
    custom = edited("maison").replace("name: first", "name: maison")
    row, _ = do_save_template(workspace, custom)
    assert row is not None and row.name == "maison"
    template = resolve_template(workspace, "maison", "en")  # only in French: the fallback
    assert template.language == "fr" and template.is_fallback and template.version == row.sha


def test_an_unknown_template_is_an_error(workspace):
    from relance.mail.rendering import TemplateError

    with pytest.raises(TemplateError, match="nope"):
        resolve_template(workspace, "nope", "fr")


def test_saving_the_live_source_again_creates_no_version(workspace):
    row, _ = do_save_template(workspace, GOOD_FR, name="first", language="fr")
    assert row is not None and row.was_created and row.version == 1
    assert row.sha == template_version(GOOD_FR.encode("utf-8"))
    again, _ = do_save_template(workspace, GOOD_FR.replace("\n", "\r\n"), name="first", language="fr")
    assert again is not None and again.pk == row.pk and not again.was_created
    assert TemplateVersion.objects.count() == 1


def test_going_back_to_an_older_source_is_a_new_version(workspace):
    do_save_template(workspace, edited("un"))
    do_save_template(workspace, edited("deux"))
    row, _ = do_save_template(workspace, edited("un"))
    assert row is not None and row.version == 3 and row.was_created


def test_lint_errors_block_saving_and_nothing_is_written(workspace):
    row, report = do_save_template(workspace, BAD_FR, name="relance", language="fr")
    assert row is None
    assert report.errors
    assert TemplateVersion.objects.count() == 0


def test_warnings_do_not_block_saving(workspace):
    row, report = do_save_template(workspace, WARNING_FR, name="first")
    assert report.warnings and not report.errors
    assert row is not None and row.lint_score == report.score < 100
    assert row.stage == "first" and row.language == "fr" and row.name == "first"


def test_name_and_language_from_the_front_matter_or_the_file_name(workspace):
    row, _ = do_save_template(workspace, GOOD_FR, filename="x/first.fr.md")
    assert row is not None and (row.name, row.language) == ("first", "fr")
    with pytest.raises(InvalidInput, match="does not match"):
        do_save_template(workspace, edited("x"), name="other")
    bare = re.sub(r"(?m)^language: fr\n", "", GOOD_FR)
    assert bare != GOOD_FR
    with pytest.raises(InvalidInput, match="no template name"):
        do_save_template(workspace, bare)
    row, _ = do_save_template(workspace, bare, filename="relance-douce.fr.md")
    assert row is not None and (row.name, row.language) == ("relance-douce", "fr")


def test_a_template_that_does_not_parse_is_invalid_input_naming_the_line(workspace):
    broken = GOOD_FR.replace("{{ contact.greeting }}", "{{ contact.greeting }", 1)
    with pytest.raises(InvalidInput, match=r"first\.fr\.md:\d+: template syntax error"):
        do_save_template(workspace, broken, filename="first.fr.md")
    unknown = GOOD_FR.replace("{{ contact.greeting }}", "{{ contact.nickname }}", 1)
    with pytest.raises(InvalidInput, match="nickname"):
        do_save_template(workspace, unknown, filename="first.fr.md")
    assert TemplateVersion.objects.count() == 0


def test_saving_records_who_saved_it(workspace, django_user_model):
    user = django_user_model.objects.create_user("marie", password="x")
    row, _ = do_save_template(workspace, GOOD_FR, user=user, name="first")
    assert row is not None and row.created_by == user


def test_list_says_where_each_template_comes_from(workspace, folder):
    do_save_template(workspace, edited("enregistré"))
    (folder / "maison.en.md").write_text(GOOD_FR.replace("language: fr", "language: en"), encoding="utf-8")
    entries = {(e.name, e.language): e for e in list_templates(workspace)}
    assert entries[("first", "fr")].origin == "db" and entries[("first", "fr")].version == 1
    assert entries[("maison", "en")].origin == "folder"
    assert entries[("first", "en")].origin == "builtin"


DUE = date(2026, 3, 2)


def test_a_message_records_the_saved_version_it_was_rendered_from(workspace):
    f.policy(workspace)
    f.invoice(f.customer(workspace, "ALICE", language="fr"), "A-1", DUE)
    f.invoice(f.customer(workspace, "BOB", language="en"), "B-1", DUE)
    row, _ = do_save_template(workspace, edited("de la maison"))
    assert row is not None
    do_run(workspace, DUE + timedelta(days=5), datetime(2026, 3, 2, 8, tzinfo=UTC), backfill=True)
    alice = Message.objects.get(customer__external_id="ALICE")
    assert (alice.template_name, alice.template_version) == ("first", row.sha)
    assert "rappel de la maison" in alice.subject
    bob = Message.objects.get(customer__external_id="BOB")
    assert bob.template_version == template_version((BUILTIN_DIR / "first.en.md").read_bytes())


# --- the admin ---------------------------------------------------------------------------------------


ADD_URL = "/admin/mail/templateversion/add/"


def test_the_admin_add_form_rejects_a_template_with_lint_errors(admin_client, workspace):
    response = admin_client.post(
        ADD_URL,
        {
            "workspace": workspace.pk,
            "new_name": "relance",
            "new_language": "fr",
            "new_source": BAD_FR,
        },
    )
    assert response.status_code == 200
    assert "Not saved: lint errors" in response.content.decode()
    assert TemplateVersion.objects.count() == 0


def test_the_admin_add_form_saves_a_version_and_shows_warnings(admin_client, admin_user, workspace):
    data = {
        "workspace": workspace.pk,
        "new_name": "first",
        "new_language": "",
        "new_source": WARNING_FR,
    }
    assert admin_client.get(ADD_URL).status_code == 200
    response = admin_client.post(ADD_URL, data, follow=True)
    assert response.status_code == 200
    row = TemplateVersion.objects.get()
    assert (row.name, row.language, row.version, row.created_by) == ("first", "fr", 1, admin_user)
    assert any(m.message.startswith("Warning:") for m in response.context["messages"])
    # A version is read-only: its page has no form to change it.
    page = admin_client.get(f"/admin/mail/templateversion/{row.pk}/change/")
    assert page.status_code == 200 and 'name="new_source"' not in page.content.decode()
    assert admin_client.get("/admin/mail/templateversion/").status_code == 200


def test_the_admin_add_form_reports_a_syntax_error(admin_client, workspace):
    broken = GOOD_FR.replace("{{ contact.greeting }}", "{{ contact.greeting }", 1)
    response = admin_client.post(
        ADD_URL,
        {
            "workspace": workspace.pk,
            "new_name": "first",
            "new_language": "",
            "new_source": broken,
        },
    )
    assert response.status_code == 200 and "template syntax error" in response.content.decode()
    assert TemplateVersion.objects.count() == 0
