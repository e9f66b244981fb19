"""Property-based tests of the whole API from its own OpenAPI document (schemathesis): on every operation,
generated requests never get a server error, and every response matches the document (status code, content
type, body schema). A seeded, bounded run, so that CI is reproducible and quick."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from relance.accounts.models import Workspace
from relance.accounts.people import do_issue_token
from relance.wsgi import application
from tests import factories

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260316,
        "cache": {"enabled": False},
        "generation": {"max-examples": 25, "database": "none"},
    }
)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """Like Django's test client: the test's database connection (and its transaction) stays open across
    requests; a real request closes it when it ends."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# The document as the running application serves it (loading it touches no database).
with connection_kept_open():
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=CONFIG)


@pytest.fixture(autouse=True)
def _keep_connection() -> Iterator[None]:
    with connection_kept_open():
        yield


@pytest.fixture
def admin_token(
    workspace: Workspace, today: date, ledger: dict[str, Any], other_ledger: dict[str, Any]
) -> str:
    """An admin token (every operation allowed) of a workspace holding customers, invoices, payments,
    holds and messages (among them those the document gives as examples), beside another workspace with
    the same keys."""
    example = factories.customer(workspace, "C-1001")
    factories.invoice(example, "F-2026-0042", today - timedelta(days=20))
    return do_issue_token(workspace, "schemathesis", "admin", None).secret


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_the_openapi_document(case: Any, admin_token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS)
