"""Customers through the API: list and filters, one by key, upsert (one and bulk) with the importer's rules
and messages, exclude and include."""

from __future__ import annotations

from typing import Any

import pytest

from relance.accounts.models import Workspace
from relance.ledger.models import Customer
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

NEW = {"customer_id": "C3", "name": "Gamma GmbH", "email": "billing@gamma.example"}


def test_list_is_paginated_with_a_count(viewer_api: ApiClient, workspace: Workspace) -> None:
    for n in range(7):
        factories.customer(workspace, f"K{n}")
    page = viewer_api.get("/api/customers", {"limit": 3, "offset": 3}).json()
    assert page["count"] == 7
    assert (page["limit"], page["offset"]) == (3, 3)
    assert [c["customer_id"] for c in page["items"]] == ["K3", "K4", "K5"]
    assert viewer_api.get("/api/customers", {"offset": 100}).json()["items"] == []


def test_list_filters_by_search_segment_and_exclusion(viewer_api: ApiClient, ledger: dict[str, Any]) -> None:
    Customer.objects.filter(external_id="C2").update(excluded=True)
    keys = lambda **q: [c["customer_id"] for c in viewer_api.get("/api/customers", q).json()["items"]]  # noqa: E731
    assert keys(search="beta") == ["C2"]
    assert keys(search="c1@CLIENT") == ["C1"]
    assert keys(segment="key") == ["C1"]
    assert keys(excluded="true") == ["C2"]
    assert keys(excluded="false") == ["C1"]


def test_a_customer_by_its_key_has_the_import_columns(viewer_api: ApiClient, ledger: dict[str, Any]) -> None:
    body = viewer_api.get("/api/customers/C1").json()
    assert body["customer_id"] == "C1"
    assert body["segment"] == "key"
    assert body["policy"] == ""
    assert body["tags"] == []
    assert viewer_api.get("/api/customers/NOPE").status_code == 404


def test_create_then_update_then_unchanged(collector_api: ApiClient, workspace: Workspace) -> None:
    created = collector_api.call("post", "/customers", {**NEW, "tags": ["vip", "eu"], "language": "en-GB"})
    assert created.status_code == 201
    assert created.json()["tags"] == ["vip", "eu"]
    assert created.json()["language"] == "en"
    updated = collector_api.call("post", "/customers", {**NEW, "name": "Gamma AG"})
    assert updated.status_code == 200
    customer = Customer.objects.get(workspace=workspace, external_id="C3")
    assert customer.name == "Gamma AG"
    assert customer.tags == ["vip", "eu"]  # absent field: left as it was
    again = collector_api.call("post", "/customers", {**NEW, "name": "Gamma AG"})
    assert again.status_code == 200
    assert Customer.objects.filter(workspace=workspace).count() == 1


def test_null_empties_an_optional_field(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    body = {"customer_id": "C1", "name": "Client C1", "email": "c1@client.example", "segment": None}
    assert collector_api.call("post", "/customers", body).status_code == 200
    assert Customer.objects.get(external_id="C1").segment == ""


def test_a_bad_customer_is_refused_with_the_importers_message_and_nothing_is_written(
    collector_api: ApiClient, workspace: Workspace
) -> None:
    response = collector_api.call("post", "/customers", {**NEW, "email": "not-an-address", "country": "XX"})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("not saved: email: is not a valid e-mail address")
    assert {(e["row"], e["field"], e["value"]) for e in body["errors"]} == {
        (None, "email", "not-an-address"),
        (None, "country", "XX"),
    }
    assert not Customer.objects.exists()


def test_bulk_import_creates_and_updates_in_one_go(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    rows = [NEW, {"customer_id": "C1", "name": "Client C1 renamed", "email": "c1@client.example"}]
    response = collector_api.call("post", "/imports/customers", {"rows": rows})
    assert response.status_code == 200
    assert response.json() == {
        "kind": "customers",
        "dry_run": False,
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "warnings": [],
    }
    assert Customer.objects.get(external_id="C1").name == "Client C1 renamed"
    again = collector_api.call("post", "/imports/customers", {"rows": rows}).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_bulk_import_dry_run_writes_nothing(collector_api: ApiClient, workspace: Workspace) -> None:
    response = collector_api.call("post", "/imports/customers", {"rows": [NEW], "dry_run": True})
    assert response.json()["created"] == 1
    assert response.json()["dry_run"] is True
    assert not Customer.objects.exists()


def test_bulk_import_names_every_bad_row_and_field_and_writes_nothing(
    collector_api: ApiClient, workspace: Workspace
) -> None:
    rows = [
        NEW,
        {"customer_id": "C4", "name": "", "email": "c4@example.com"},
        {"customer_id": "C5", "name": "Five", "email": "five@example.com", "timezone": "Mars/Olympus"},
        {**NEW, "name": "Gamma twice"},
    ]
    response = collector_api.call("post", "/imports/customers", {"rows": rows})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "nothing was imported: 3 errors on 3 rows"
    assert [(e["row"], e["field"]) for e in body["errors"]] == [
        (1, "name"),
        (2, "timezone"),
        (3, "customer_id"),
    ]
    assert body["errors"][1]["message"] == "is not an IANA time zone such as Europe/Paris"
    assert body["errors"][2]["message"] == "duplicate: already in row 0"
    assert not Customer.objects.exists()


def test_a_request_that_does_not_match_the_schema_gets_a_422_naming_row_and_field(
    collector_api: ApiClient, workspace: Workspace
) -> None:
    rows = [NEW, {"customer_id": 7, "name": "Seven"}]
    response = collector_api.call("post", "/imports/customers", {"rows": rows, "colour": "red"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {
        "row": 1,
        "field": "customer_id",
        "value": "",
        "message": "Input should be a valid string",
    } in errors
    assert {"row": 1, "field": "email", "value": "", "message": "Field required"} in errors
    assert {
        "row": None,
        "field": "colour",
        "value": "",
        "message": "Extra inputs are not permitted",
    } in errors
    assert response.json()["detail"].startswith("row 1, customer_id: Input should be a valid string")
    assert not Customer.objects.exists()


def test_exclude_and_include(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    excluded = collector_api.call("post", "/customers/C1/exclude", {"reason": "in liquidation"})
    assert excluded.status_code == 200
    assert excluded.json()["excluded"] is True
    assert excluded.json()["excluded_reason"] == "in liquidation"
    assert Customer.objects.get(external_id="C1").excluded
    included = collector_api.call("post", "/customers/C1/include")
    assert included.json()["excluded"] is False
    assert not Customer.objects.get(external_id="C1").excluded
    assert collector_api.call("post", "/customers/NOPE/exclude").status_code == 404


def test_an_exclusion_reason_too_long_is_refused(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    response = collector_api.call("post", "/customers/C1/exclude", {"reason": "x" * 201})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    assert not Customer.objects.get(external_id="C1").excluded


def test_a_customer_id_may_hold_a_slash(collector_api: ApiClient, workspace: Workspace) -> None:
    assert collector_api.call("post", "/customers", {**NEW, "customer_id": "EU/0042"}).status_code == 201
    assert collector_api.get("/api/customers/EU/0042").json()["customer_id"] == "EU/0042"
    assert collector_api.get("/api/customers/EU%2F0042").json()["customer_id"] == "EU/0042"
    assert collector_api.call("post", "/customers/EU/0042/exclude").json()["excluded"] is True
