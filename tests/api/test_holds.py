"""Holds through the API: put an invoice on hold (dispute, promise, other), list, release."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from relance.ledger.models import Hold
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_put_an_invoice_on_hold_from_today(
    collector_api: ApiClient, ledger: dict[str, Any], today: date
) -> None:
    until = (today + timedelta(days=10)).isoformat()
    response = collector_api.call(
        "post", "/invoices/F-1/holds", {"reason": "promise", "until": until, "note": "pays on the 10th"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["invoice_number"], body["reason"], body["start"], body["until"]) == (
        "F-1",
        "promise",
        today.isoformat(),
        until,
    )
    hold = Hold.objects.get(pk=body["id"])
    assert (hold.note, hold.released_on) == ("pays on the 10th", None)


def test_a_hold_must_end_after_it_starts(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    response = collector_api.call(
        "post", "/invoices/F-1/holds", {"reason": "dispute", "start": "2026-05-01", "until": "2026-05-01"}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": None,
            "field": "until",
            "value": "2026-05-01",
            "message": "must be after the start 2026-05-01",
        }
    ]
    assert not Hold.objects.filter(invoice=ledger["f1"]).exists()


def test_an_unknown_reason_is_refused(collector_api: ApiClient, ledger: dict[str, Any]) -> None:
    response = collector_api.call("post", "/invoices/F-1/holds", {"reason": "holiday", "until": "2026-05-01"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"


def test_the_holds_of_an_invoice_and_of_the_workspace(viewer_api: ApiClient, ledger: dict[str, Any]) -> None:
    held = viewer_api.get("/api/invoices/F-2/holds").json()
    assert [(h["id"], h["reason"]) for h in held] == [(ledger["hold"].pk, "dispute")]
    assert viewer_api.get("/api/invoices/F-1/holds").json() == []
    page = viewer_api.get("/api/holds", {"active": "true"}).json()
    assert [h["invoice_number"] for h in page["items"]] == ["F-2"]
    assert viewer_api.get("/api/holds", {"reason": "promise"}).json()["count"] == 0
    assert viewer_api.get("/api/holds", {"customer": "C2"}).json()["count"] == 0


def test_release_ends_the_holds_today(collector_api: ApiClient, ledger: dict[str, Any], today: date) -> None:
    response = collector_api.call("post", "/invoices/F-2/release")
    assert response.json() == {"invoice_number": "F-2", "released": 1}
    assert Hold.objects.get(pk=ledger["hold"].pk).released_on == today
    assert collector_api.get("/api/holds", {"active": "true"}).json()["count"] == 0
    assert collector_api.call("post", "/invoices/F-2/release").json()["released"] == 0


def test_release_on_a_given_day(collector_api: ApiClient, ledger: dict[str, Any], today: date) -> None:
    on = today + timedelta(days=3)
    response = collector_api.call("post", "/invoices/F-2/release", {"on": on.isoformat()})
    assert response.json()["released"] == 1
    assert Hold.objects.get(pk=ledger["hold"].pk).released_on == on
