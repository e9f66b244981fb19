"""Configuration from the environment: strict parsing, safe defaults, production refuses the dev secret."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from relance.accounts.actions import (
    WorkspaceSettings,
    check_sender,
    do_ensure_default_workspace,
    settings_from_env,
    validate_settings,
)
from relance.conf import ConfigError, env, env_bool
from relance.engine.errors import InvalidInput


def settings_import(**variables: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RELANCE_")}
    environment.update(variables)
    return subprocess.run(
        [sys.executable, "-c", "import relance.settings"], env=environment, capture_output=True, text=True
    )


def test_production_refuses_the_development_secret_key():
    refused = settings_import(RELANCE_PRODUCTION="true")
    assert refused.returncode != 0
    assert "RELANCE_SECRET_KEY" in refused.stderr
    assert settings_import(RELANCE_PRODUCTION="true", RELANCE_SECRET_KEY="s3cr3t-" * 8).returncode == 0


def test_booleans_are_parsed_strictly(monkeypatch):
    monkeypatch.setenv("RELANCE_FLAG", "yes")
    assert env_bool("RELANCE_FLAG", False) is True
    monkeypatch.setenv("RELANCE_FLAG", "maybe")
    with pytest.raises(ConfigError, match="RELANCE_FLAG"):
        env_bool("RELANCE_FLAG", False)


def test_secrets_can_come_from_files(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("RELANCE_SECRET_KEY_FILE", str(secret))
    assert env("RELANCE_SECRET_KEY") == "from-a-file"


@pytest.mark.parametrize(
    "sender",
    [
        "No Reply <noreply@acme.example>",
        "no-reply@acme.example",
        "Billing <do-not-reply@acme.example>",
        "bob",
    ],
)
def test_a_sender_customers_cannot_answer_is_refused(sender):
    with pytest.raises(InvalidInput, match="RELANCE_SENDER"):
        check_sender(sender, "RELANCE_SENDER")


def test_bad_workspace_settings_name_the_variable():
    good = WorkspaceSettings("FR", "Europe/Paris", "Marie Dupont <marie@acme.example>", "", "09:00-17:00")
    assert validate_settings(good).country == "FR"
    for field, value, variable in (
        ("country", "XX", "RELANCE_COUNTRY"),
        ("timezone", "Mars/Olympus", "RELANCE_TIMEZONE"),
        ("sending_window", "17:00-09:00", "sending window"),
    ):
        with pytest.raises(InvalidInput, match=variable):
            validate_settings(WorkspaceSettings(**{**good.__dict__, field: value}))


def test_init_applies_only_the_variables_that_are_set(db, monkeypatch):
    monkeypatch.setenv("RELANCE_SENDER", "Marie Dupont <marie@acme.example>")
    workspace, created = do_ensure_default_workspace(settings_from_env())
    assert created and workspace.country == "FR" and workspace.sending_window == "09:00-17:00"
    workspace.sending_window = "08:00-12:00"
    workspace.save()
    monkeypatch.setenv("RELANCE_COUNTRY", "BE")
    workspace, created = do_ensure_default_workspace(settings_from_env())
    assert not created
    assert workspace.country == "BE"
    assert workspace.sending_window == "08:00-12:00"  # not set in the environment: left as it was
