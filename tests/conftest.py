"""Shared fixtures. SMTP servers live in tests/fixtures_smtp.py; the testdata folder may be absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.fixtures_smtp", "tests.fixtures_imap"]

# ../shared/testdata beside the project, or wherever RELANCE_TESTDATA points.
TESTDATA = Path(
    os.environ.get("RELANCE_TESTDATA")
    or Path(__file__).resolve().parent.parent.parent / "shared" / "testdata"
)


@pytest.fixture
def testdata() -> Path:
    if not TESTDATA.is_dir():
        pytest.skip(f"real-world test data not found at {TESTDATA}")
    return TESTDATA


@pytest.fixture
def workspace(db):  # type: ignore[no-untyped-def]
    from relance.accounts.models import Workspace

    return Workspace.objects.create(
        slug="default",
        name="Acme",
        country="FR",
        timezone="Europe/Paris",
        sender="Marie Dupont <marie@acme.example>",
        reply_to="compta@acme.example",
        sending_window="09:00-17:00",
        legal_name="Acme SAS",
    )
