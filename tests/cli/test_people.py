"""`relance user`, `relance workspace`, `relance token`, and --workspace on every command."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import User

from relance.accounts.models import ApiToken, Membership, Workspace
from relance.accounts.tokens import token_digest
from relance.cli import ALIASES, COMMANDS
from tests.cli.test_cli import relance

pytestmark = pytest.mark.django_db

GOOD = "a-long-enough-passphrase-9"


def test_user_add_takes_the_password_from_the_environment(capsys, workspace, monkeypatch):
    monkeypatch.setenv("RELANCE_PASSWORD", GOOD)
    code, out, _ = relance(capsys, "user", "add", "Marie@Acme.example", "--role", "collector")
    assert code == 0, out
    user = User.objects.get(username="marie@acme.example")
    assert user.check_password(GOOD)
    assert Membership.objects.get(user=user, workspace=workspace).role == "collector"


def test_user_add_reads_the_password_from_standard_input(capsys, workspace, monkeypatch):
    monkeypatch.delenv("RELANCE_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD + "\n"))
    code, out, err = relance(capsys, "user", "add", "paul@acme.example", "--role", "viewer", "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "email": "paul@acme.example",
        "role": "viewer",
        "workspace": "default",
        "created": True,
    }
    assert User.objects.get(username="paul@acme.example").check_password(GOOD)


def test_user_add_refuses_a_weak_password_and_creates_nothing(capsys, workspace, monkeypatch):
    monkeypatch.setenv("RELANCE_PASSWORD", "12345678")
    code, _, err = relance(capsys, "user", "add", "paul@acme.example", "--role", "viewer")
    assert code == 2
    assert "password" in err
    assert not User.objects.filter(username="paul@acme.example").exists()


def test_user_add_in_another_workspace_keeps_the_first_membership(capsys, workspace, monkeypatch):
    other = Workspace.objects.create(slug="globex", name="Globex", sender="H <h@globex.example>")
    monkeypatch.setenv("RELANCE_PASSWORD", GOOD)
    relance(capsys, "user", "add", "marie@acme.example", "--role", "admin")
    code, _, _ = relance(
        capsys, "user", "add", "marie@acme.example", "--role", "viewer", "--workspace", "globex"
    )
    assert code == 0
    roles = dict(Membership.objects.values_list("workspace__slug", "role"))
    assert roles == {"default": "admin", "globex": "viewer"}
    code, out, _ = relance(capsys, "user", "list", "--workspace", "globex", "--json")
    assert json.loads(out) == [{"email": "marie@acme.example", "role": "viewer", "active": True}]
    assert other.memberships.count() == 1


def test_user_add_rejects_a_bad_email_and_an_unknown_workspace(capsys, workspace, monkeypatch):
    monkeypatch.setenv("RELANCE_PASSWORD", GOOD)
    assert relance(capsys, "user", "add", "not-an-address", "--role", "viewer")[0] == 2
    code, _, err = relance(capsys, "user", "add", "a@b.example", "--role", "viewer", "--workspace", "nope")
    assert code == 1 and "nope" in err
    assert User.objects.count() == 0


def test_workspace_add_copies_the_default_sender_and_refuses_duplicates(capsys, workspace):
    code, out, _ = relance(capsys, "workspace", "add", "acme-be", "--name", "Acme Belgique", "--json")
    assert code == 0
    created = Workspace.objects.get(slug="acme-be")
    assert json.loads(out)["slug"] == "acme-be"
    assert created.name == "Acme Belgique" and created.sender == workspace.sender
    assert relance(capsys, "workspace", "add", "acme-be", "--name", "Again")[0] == 2
    assert relance(capsys, "workspace", "add", "Bad Slug", "--name", "X")[0] == 2
    code, out, _ = relance(capsys, "workspace", "list", "--json")
    assert [row["slug"] for row in json.loads(out)] == ["acme-be", "default"]


def test_token_add_prints_the_secret_once_and_stores_only_its_hash(capsys, workspace):
    code, out, _ = relance(capsys, "token", "add", "ERP sync", "--role", "viewer", "--json")
    assert code == 0
    secret = json.loads(out)["token"]
    token = ApiToken.objects.get()
    assert token.digest == token_digest(secret) and secret not in (token.prefix, token.digest)
    assert secret.startswith(token.prefix)
    code, out, _ = relance(capsys, "token", "list", "--json")
    assert secret not in out and json.loads(out)[0]["prefix"] == token.prefix
    assert relance(capsys, "token", "revoke", token.prefix)[0] == 0
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert relance(capsys, "token", "revoke", token.prefix)[0] == 1


def test_init_with_workspace_creates_that_workspace(capsys, db, monkeypatch):
    monkeypatch.setenv("RELANCE_SENDER", "Marie <marie@acme.example>")
    code, _, err = relance(capsys, "init", "--workspace", "acme-fr", "--name", "Acme France")
    assert code == 0, err
    assert Workspace.objects.get(slug="acme-fr").name == "Acme France"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_accepts_workspace(command, db):
    from django.core.management import get_commands, load_command_class

    name = ALIASES.get(command, command)
    cmd = load_command_class(get_commands()[name], name)
    parser = cmd.create_parser("relance", name)
    assert any("--workspace" in action.option_strings for action in parser._actions), command
