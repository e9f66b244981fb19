"""The `relance` command line: exit codes, JSON shapes, and an end-to-end run through the console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from relance.cli import main
from relance.mail.models import Message
from tests import factories as f

CUSTOMERS = "customer_id,name,email,contact_name,language\nK1,Test Co,ap@test.example,Ann Test,en\n"
INVOICES = "number,customer_id,issue_date,due_date,amount,currency\nT-1,K1,2026-01-01,2026-01-31,100.00,EUR\n"
POLICY = (
    "name: contract\nmin_days_between_messages: 3\nbusiness_days_only: false\nsteps:\n"
    "  - {stage: first, offset_days: 3, template: first}\n"
    "  - {stage: final, offset_days: 10, template: final, requires_approval: true}\n"
)
MESSAGE_KEYS = {"id", "customer_id", "stage", "invoices", "total_due", "currency", "to", "subject", "status"}
MESSAGE_KEYS |= {"run_date", "sent_at"}


def relance(capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """A command in process, inside the test's transaction (main() would close the connection when done)."""
    try:
        call_command(*args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ledger(workspace, tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "p.yaml").write_text(POLICY)
    f.invoice(f.customer(workspace, "K1", language="en"), "T-1", __import__("datetime").date(2026, 1, 31))
    return tmp_path


def test_help_lists_the_product_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("init", "import", "policy", "run", "simulate", "messages", "hold", "approve", "serve"):
        assert f"  {command}" in out


def test_every_command_has_help(capsys, db):
    for command in ("run", "simulate", "messages", "approve", "send", "policy", "import", "hold", "release"):
        assert main([command, "--help"]) == 0, command
        out = capsys.readouterr().out
        assert "usage" in out


def test_invalid_policy_file_exits_2_naming_the_field(capsys, workspace, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsteps:\n  - {stage: first, offset_days: -2}\n")
    code, _, err = relance(capsys, "policy", "load", str(bad))
    assert code == 2
    assert "steps[1]" in err and "offset_days" in err


def test_policy_load_list_and_show(capsys, workspace, ledger):
    assert relance(capsys, "policy", "load", str(ledger / "p.yaml"))[0] == 0
    code, out, _ = relance(capsys, "policy", "list", "--json")
    names = {p["name"]: p for p in json.loads(out)}
    assert names["contract"]["default"] is True
    code, out, _ = relance(capsys, "policy", "show", "contract")
    assert code == 0 and "final: due date +10 days" in out and "needs approval" in out
    assert relance(capsys, "policy", "show", "nope")[0] == 2


def test_simulate_json_lists_messages_and_writes_nothing(capsys, workspace, ledger):
    relance(capsys, "policy", "load", str(ledger / "p.yaml"))
    code, out, _ = relance(capsys, "simulate", "--from", "2026-02-01", "--to", "2026-02-15", "--json")
    assert code == 0
    data = json.loads(out)
    assert [(m["run_date"], m["stage"]) for m in data["messages"]] == [
        ("2026-02-03", "first"),
        ("2026-02-10", "final"),
    ]
    assert set(data["messages"][0]) >= MESSAGE_KEYS
    assert data["messages"][0]["total_due"] == "1200.00"
    assert Message.objects.count() == 0


def test_run_dry_run_previews_without_writing(capsys, workspace, ledger):
    relance(capsys, "policy", "load", str(ledger / "p.yaml"))
    code, out, _ = relance(capsys, "run", "--as-of", "2026-02-05", "--dry-run", "--json")
    assert code == 0
    [message] = json.loads(out)["messages"]
    assert message["status"] == "preview" and message["invoices"] == ["T-1"]
    assert Message.objects.count() == 0


def test_run_without_smtp_configuration_fails_and_keeps_messages_queued(capsys, workspace, ledger):
    relance(capsys, "policy", "load", str(ledger / "p.yaml"))
    with override_settings(EMAIL_URL=""):
        code, _, err = relance(capsys, "run", "--as-of", "2026-02-05")
    assert code == 1
    assert "EMAIL_URL is not set" in err
    assert Message.objects.get().status == Message.QUEUED


def test_run_sends_then_approval_releases_the_final_notice(capsys, workspace, ledger, smtp_server):
    relance(capsys, "policy", "load", str(ledger / "p.yaml"))
    with override_settings(EMAIL_URL=smtp_server.url):
        code, out, _ = relance(capsys, "run", "--as-of", "2026-02-05", "--json")
        assert code == 0
        assert json.loads(out)["messages"][0]["status"] == "sent"
        relance(capsys, "run", "--as-of", "2026-02-12")
        final = Message.objects.get(stage="final")
        assert final.status == Message.AWAITING_APPROVAL
        assert len(smtp_server.messages) == 1
        code, out, _ = relance(capsys, "approve", str(final.pk))
        assert code == 0 and "now sent" in out
        assert relance(capsys, "approve", str(final.pk))[0] == 2  # not waiting any more
    assert len(smtp_server.messages) == 2
    code, out, _ = relance(capsys, "messages", "--status", "sent", "--json")
    assert [m["stage"] for m in json.loads(out)] == ["first", "final"]
    assert relance(capsys, "messages", "--status", "bogus")[0] == 2


def test_hold_and_exclusions_through_the_command_line(capsys, workspace, ledger):
    relance(capsys, "policy", "load", str(ledger / "p.yaml"))
    assert (
        relance(
            capsys, "hold", "T-1", "--from", "2026-02-01", "--until", "2026-03-01", "--reason", "promise"
        )[0]
        == 0
    )
    _, out, _ = relance(capsys, "simulate", "--from", "2026-02-01", "--to", "2026-02-27", "--json")
    assert json.loads(out)["messages"] == []
    assert relance(capsys, "release", "T-1", "--on", "2026-02-10")[0] == 0
    _code, out, _ = relance(capsys, "simulate", "--from", "2026-02-01", "--to", "2026-02-27", "--json")
    assert json.loads(out)["messages"][0]["run_date"] == "2026-02-10"
    assert relance(capsys, "exclude", "K1")[0] == 0
    _, out, _ = relance(capsys, "simulate", "--from", "2026-02-01", "--to", "2026-02-27", "--json")
    assert json.loads(out)["messages"] == []
    assert relance(capsys, "exclude", "NOPE")[0] == 2


def test_console_script_end_to_end_on_a_fresh_database(tmp_path, smtp_server):
    """The installed `relance` script, in its own process, on its own SQLite file, sending to real SMTP."""
    script = Path(sys.executable).with_name("relance")
    if not script.exists():
        pytest.skip("the relance console script is not installed (run make install)")
    (tmp_path / "c.csv").write_text(CUSTOMERS)
    (tmp_path / "i.csv").write_text(INVOICES)
    (tmp_path / "bad.csv").write_text(INVOICES.replace("2026-01-01", "2026-13-01").replace("100.00", "abc"))
    (tmp_path / "p.yaml").write_text(POLICY)
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        EMAIL_URL=smtp_server.url,
        RELANCE_SENDER="Ann Sender <ann@acme.example>",
        RELANCE_REPLY_TO="ar@acme.example",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(script), *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )

    assert run("init").returncode == 0
    assert run("import", "customers", "c.csv").returncode == 0
    assert run("import", "invoices", "i.csv").returncode == 0
    bad = run("import", "invoices", "bad.csv", "--json")
    assert bad.returncode == 2
    assert {(e["line"], e["column"]) for e in json.loads(bad.stdout)["errors"]} >= {
        (2, "issue_date"),
        (2, "amount"),
    }
    assert run("policy", "load", "p.yaml").returncode == 0
    sent = run("run", "--as-of", "2026-02-05", "--json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["messages"][0]["status"] == "sent"
    again = run("run", "--as-of", "2026-02-05", "--json")
    assert json.loads(again.stdout)["messages"] == []
    [received] = smtp_server.messages
    assert received["From"] == "Ann Sender <ann@acme.example>"
    assert "T-1" in received["Subject"]
