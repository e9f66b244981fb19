"""The Django admin lists and searches the ledger."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories as f


@pytest.fixture
def ledger(workspace):  # type: ignore[no-untyped-def]
    invoice = f.invoice(f.customer(workspace, "C1", name="Boulangerie Martin"), "F-1", date(2026, 3, 1))
    f.pay(invoice, date(2026, 3, 5), "100.00", reference="VIR-1")
    f.hold(invoice, date(2026, 3, 2), date(2026, 3, 9))
    return invoice


@pytest.mark.parametrize("model", ["customer", "invoice", "payment", "hold"])
def test_changelists_render_and_search(admin_client, ledger, model):
    response = admin_client.get(f"/admin/ledger/{model}/", {"q": "F-1" if model != "customer" else "Martin"})
    assert response.status_code == 200
    assert "0 results" not in response.content.decode()


def test_invoice_page_shows_its_payments_and_holds(admin_client, ledger):
    response = admin_client.get(f"/admin/ledger/invoice/{ledger.pk}/change/")
    assert response.status_code == 200
    assert "VIR-1" in response.content.decode()
