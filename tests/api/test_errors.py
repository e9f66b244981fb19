"""Every error is JSON in one shape, never an HTML page nor a server error for bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from relance.ledger.models import Customer
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_an_unknown_path_under_api_is_a_json_404(collector_api: ApiClient) -> None:
    response = Client().get("/api/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"detail": "no API endpoint at /api/nothing/here: see /api/docs", "errors": []}


def test_a_path_holding_a_newline_is_still_a_json_answer(collector_api: ApiClient) -> None:
    # CSRF enforced as in a real server: a POST to a path the API does not have is no CSRF page either.
    response = Client(enforce_csrf_checks=True).post("/api/invoices/F%0A1/holds")
    assert response.status_code in (401, 404)
    assert response["Content-Type"].startswith("application/json")


def test_a_body_that_is_not_json_is_a_400(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    response = collector_api.post("/api/customers", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "the request body is not valid JSON", "errors": []}


def test_a_missing_body_is_a_422_that_says_so(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    response = collector_api.call("post", "/customers")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": None, "field": "body", "value": "", "message": "a JSON body is required"}
    ]


def test_a_nul_character_is_refused_before_it_reaches_the_database(
    collector_api: ApiClient, ledger: dict[str, Any]
) -> None:
    body = {"customer_id": "C9", "name": "Bad\x00Name", "email": "x@example.com"}
    response = collector_api.call("post", "/customers", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "must not contain the NUL character"
    assert collector_api.get("/api/customers", {"search": "a\x00b"}).status_code == 422
    assert not Customer.objects.filter(external_id="C9").exists()


@pytest.mark.parametrize(
    "query", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "ten"}, {"offset": 10**20}]
)
def test_bad_pagination_is_a_422(
    viewer_api: ApiClient, ledger: dict[str, Any], query: dict[str, Any]
) -> None:
    response = viewer_api.get("/api/customers", query)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in query


def test_a_message_id_out_of_range_is_a_422_not_a_crash(
    viewer_api: ApiClient, ledger: dict[str, Any]
) -> None:
    assert viewer_api.get(f"/api/messages/{2**64}").status_code == 422
    assert viewer_api.get("/api/messages/0").status_code == 422


def test_a_method_an_endpoint_does_not_have_is_a_json_405(collector_api: ApiClient) -> None:
    response = collector_api.delete("/api/customers")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json()["detail"] == "DELETE is not allowed on /api/customers: use GET, POST"
