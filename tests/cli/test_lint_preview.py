"""`relance lint`, `relance preview` and `relance template`: exit codes, output, JSON shapes."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from relance.cli import main
from relance.ledger.queries import workspace_today
from relance.mail.models import TemplateVersion
from tests import factories as f
from tests.mail.test_template_lint import BAD_FR, GOOD_FR, WARNING_FR, with_subject

FINDING_KEYS = {
    "rule",
    "severity",
    "message",
    "line",
    "column",
    "end_line",
    "end_column",
    "excerpt",
    "suggestion",
    "part",
}
RESULT_KEYS = {"template", "path", "language", "stage", "score", "findings"}
BROKEN_FR = GOOD_FR.replace("{{ contact.greeting }}", "{{ contact.greeting }", 1)


def relance(capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    try:
        call_command(*args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "first.fr.md").write_text(GOOD_FR, encoding="utf-8")
    (tmp_path / "good" / "first.en.md").write_text(
        GOOD_FR.replace("language: fr", "language: en"), encoding="utf-8"
    )
    (tmp_path / "warning.fr.md").write_text(WARNING_FR, encoding="utf-8")
    (tmp_path / "bad.fr.md").write_text(BAD_FR, encoding="utf-8")
    (tmp_path / "broken.fr.md").write_text(BROKEN_FR, encoding="utf-8")
    return tmp_path


def test_help_lists_the_template_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("lint", "preview", "template"):
        assert f"  {command}" in out


# --- lint -------------------------------------------------------------------------------------------------


def test_a_clean_template_exits_0(capsys, files):
    code, out, _ = relance(capsys, "lint", str(files / "good" / "first.fr.md"))
    assert code == 0
    assert "first.fr.md: score" in out and "0 errors" in out


def test_warnings_alone_exit_0_and_are_printed_like_a_compiler(capsys, files):
    code, out, _ = relance(capsys, "lint", str(files / "warning.fr.md"))
    assert code == 0
    assert any(": warning " in line for line in out.splitlines())


def test_an_error_exits_1_with_file_line_and_column(capsys, files):
    code, out, _ = relance(capsys, "lint", str(files / "bad.fr.md"))
    assert code == 1
    lines = [line for line in out.splitlines() if ": error " in line]
    assert lines
    path, line, column, rest = lines[0].split(":", 3)
    assert path.endswith("bad.fr.md") and int(line) >= 5 and int(column) >= 1
    assert rest.startswith(" error ")


def test_json_lists_each_template_with_its_findings(capsys, files):
    code, out, _ = relance(capsys, "lint", str(files / "bad.fr.md"), str(files / "good"), "--json")
    assert code == 1
    results = json.loads(out)
    assert [r["template"] for r in results] == ["bad.fr", "first.en", "first.fr"]
    for result in results:
        assert set(result) == RESULT_KEYS
        assert 0 <= result["score"] <= 100
        for finding in result["findings"]:
            assert set(finding) == FINDING_KEYS
    bad = results[0]
    assert (bad["language"], bad["stage"]) == ("fr", "first")
    assert any(f["severity"] == "error" for f in bad["findings"])


def test_a_folder_is_every_md_file_in_it_and_filters_apply(capsys, files):
    code, out, _ = relance(capsys, "lint", str(files / "good"), "--lang", "en", "--json")
    assert code == 0 and [r["template"] for r in json.loads(out)] == ["first.en"]
    code, out, _ = relance(capsys, "lint", str(files / "good"), "--stage", "final", "--json")
    assert code == 0 and json.loads(out) == []


def test_builtin_templates_are_linted(capsys):
    code, out, _ = relance(capsys, "lint", "--builtin", "--stage", "first", "--lang", "fr", "--json")
    results = json.loads(out)
    assert "first.fr" in [r["template"] for r in results]
    assert all(r["stage"] == "first" and r["language"] == "fr" for r in results)
    assert code == 0 and all(r["findings"] == [] for r in results)


@pytest.mark.parametrize(
    "args",
    [
        ["/no/such/place"],
        [],
        ["--stage", "first", "--subject", "Facture"],  # no --lang
        ["--stage", "nope", "--lang", "fr", "--subject", "Facture"],
    ],
)
def test_invalid_input_exits_2(capsys, args):
    code, _, err = relance(capsys, "lint", *args)
    assert code == 2 and err.startswith("error:")


def test_a_template_that_does_not_parse_exits_2_naming_the_line(capsys, files):
    code, out, err = relance(capsys, "lint", str(files / "broken.fr.md"), str(files / "good" / "first.fr.md"))
    assert code == 2
    assert "broken.fr.md:" in err and "syntax error" in err
    assert "first.fr.md: score" in out  # the others are still linted


def test_a_template_of_a_stage_the_linter_does_not_know_exits_2(capsys, tmp_path):
    path = tmp_path / "custom.fr.md"
    path.write_text(GOOD_FR.replace("stage: first", "stage: relance_maison", 1), encoding="utf-8")
    code, _, err = relance(capsys, "lint", str(path))
    assert code == 2 and "relance_maison" in err


def test_a_file_name_that_contradicts_the_front_matter_exits_2(capsys, tmp_path):
    path = tmp_path / "first.en.md"
    path.write_text(GOOD_FR, encoding="utf-8")  # says `language: fr`
    code, _, err = relance(capsys, "lint", str(path))
    assert code == 2 and "does not match" in err


def test_raw_subject_and_body_from_standard_input(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Bonjour,\nVous devez payer cette facture.\n"))
    code, out, _ = relance(
        capsys,
        "lint",
        "--stage",
        "first",
        "--lang",
        "fr",
        "--subject",
        "URGENT facture FA-1",
        "--body-file",
        "-",
    )
    assert code == 1
    assert "<stdin>:1:" in out and "<stdin>:3:" in out


def test_raw_mode_json_and_body_file(capsys, tmp_path):
    body = tmp_path / "mail.txt"
    body.write_text("Bonjour,\nVous devez payer cette facture.\n", encoding="utf-8")
    code, out, _ = relance(
        capsys,
        "lint",
        "--stage",
        "first",
        "--lang",
        "fr",
        "--subject",
        "URGENT",
        "--body-file",
        str(body),
        "--json",
    )
    assert code == 1
    [result] = json.loads(out)
    assert set(result) == RESULT_KEYS and result["template"] is None
    assert (result["stage"], result["language"]) == ("first", "fr")
    assert any(f["line"] == 1 for f in result["findings"])


# --- preview ----------------------------------------------------------------------------------------------


def test_preview_prints_the_message_and_writes_the_html_part(capsys, workspace, tmp_path):
    out_file = tmp_path / "p.html"
    code, out, _ = relance(capsys, "preview", "first", "--lang", "en", "--out", str(out_file))
    assert code == 0
    assert "Subject: Invoice FA-2026-0142" in out and "Dear Sarah," in out
    assert str(out_file) in out
    html = out_file.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") or "<html" in html
    assert "FA-2026-0142" in html


def test_preview_writes_under_the_data_folder_by_default(capsys, workspace, tmp_path, monkeypatch):
    monkeypatch.setenv("RELANCE_DATA_DIR", str(tmp_path))
    code, _, _ = relance(capsys, "preview", "final")
    assert code == 0
    assert (tmp_path / "previews" / "final.fr.html").is_file()


def test_preview_uses_the_saved_version(capsys, workspace, tmp_path):
    custom = with_subject(GOOD_FR, "Facture {{ invoices[0].number }} : rappel maison")
    assert relance(capsys, "template", "add", _write(tmp_path / "first.fr.md", custom))[0] == 0
    code, out, _ = relance(capsys, "preview", "first", "--out", str(tmp_path / "x.html"))
    assert code == 0 and "rappel maison" in out and "from db" in out


def test_preview_for_a_customer_uses_its_open_invoices(capsys, workspace, tmp_path):
    today = workspace_today(workspace)
    customer = f.customer(workspace, "K1", name="Test Co", language="en", contact_name="Ann Test")
    f.invoice(customer, "T-1", today - timedelta(days=6), amount="100.00")
    paid = f.invoice(customer, "T-2", today - timedelta(days=6))
    f.pay(paid, today - timedelta(days=1))
    f.invoice(customer, "T-3", today + timedelta(days=5), amount="50.00")
    code, out, _ = relance(capsys, "preview", "first", "--customer", "K1", "--out", str(tmp_path / "k.html"))
    assert code == 0
    assert "To: k1@client.example" in out and "Dear Ann," in out
    assert "T-1" in out and "T-3" in out and "T-2" not in out


@pytest.mark.parametrize("args", [["nope"], ["first", "--customer", "NOBODY"]])
def test_preview_of_an_unknown_template_or_customer_exits_2(capsys, workspace, args):
    code, _, err = relance(capsys, "preview", *args)
    assert code == 2 and err.startswith("error:")


def test_preview_of_a_customer_with_nothing_to_chase_exits_2(capsys, workspace):
    f.customer(workspace, "K2")
    code, _, err = relance(capsys, "preview", "first", "--customer", "K2")
    assert code == 2 and "no open invoice" in err


# --- template -----------------------------------------------------------------------------------------------


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_template_add_saves_versions_and_refuses_lint_errors(capsys, workspace, tmp_path):
    path = _write(tmp_path / "first.fr.md", GOOD_FR)
    code, out, _ = relance(capsys, "template", "add", path, "--json")
    assert code == 0
    saved = json.loads(out)
    assert saved["saved"] and saved["created"] and saved["version"] == 1 and saved["name"] == "first"
    code, out, _ = relance(capsys, "template", "add", path)
    assert code == 0 and "unchanged" in out
    code, out, err = relance(capsys, "template", "add", _write(tmp_path / "relance.fr.md", BAD_FR), "--json")
    assert code == 1 and "not saved" in err
    refused = json.loads(out)
    assert not refused["saved"] and refused["version"] is None
    assert any(f["severity"] == "error" for f in refused["findings"])
    assert TemplateVersion.objects.count() == 1


def test_template_add_of_a_broken_file_exits_2(capsys, workspace, tmp_path):
    code, _, err = relance(capsys, "template", "add", _write(tmp_path / "first.fr.md", BROKEN_FR))
    assert code == 2 and "first.fr.md:" in err
    assert relance(capsys, "template", "add", str(tmp_path / "missing.fr.md"))[0] == 2


def test_template_list_show_and_versions(capsys, workspace, tmp_path):
    relance(capsys, "template", "add", _write(tmp_path / "first.fr.md", GOOD_FR))
    relance(capsys, "template", "add", _write(tmp_path / "first.fr.md", WARNING_FR))
    code, out, _ = relance(capsys, "template", "list", "--json")
    rows = {(r["name"], r["language"]): r for r in json.loads(out)}
    assert code == 0
    assert rows[("first", "fr")]["source"] == "db" and rows[("first", "fr")]["version"] == 2
    assert rows[("first", "en")]["source"] == "builtin" and rows[("first", "en")]["version"] is None
    assert set(rows[("first", "fr")]) >= {"name", "language", "version", "sha", "source"}
    code, out, _ = relance(capsys, "template", "show", "first", "--lang", "fr")
    assert code == 0 and "from db" in out and "à votre attention" in out
    code, out, _ = relance(capsys, "template", "versions", "first", "--json")
    versions = json.loads(out)
    assert [(v["version"], v["live"]) for v in versions] == [(2, True), (1, False)]
    code, out, _ = relance(capsys, "template", "versions", "second")
    assert code == 0 and "no saved version" in out
    assert relance(capsys, "template", "show", "nope")[0] == 2
    assert relance(capsys, "template", "versions", "nope")[0] == 2


def test_the_run_renders_the_template_added_on_the_command_line(capsys, workspace, tmp_path):
    from datetime import UTC, datetime

    from relance.dunning.actions import do_run
    from relance.mail.models import Message

    due = date(2026, 3, 2)
    f.policy(workspace)
    f.invoice(f.customer(workspace, "ALICE", language="fr"), "A-1", due)
    relance(capsys, "template", "add", _write(tmp_path / "first.fr.md", WARNING_FR))
    sha = TemplateVersion.objects.get().sha
    do_run(workspace, due + timedelta(days=5), datetime(2026, 3, 2, 8, tzinfo=UTC), backfill=True)
    assert Message.objects.get().template_version == sha
