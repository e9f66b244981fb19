"""The imports pages: upload a real file, read the dry run, confirm, and nothing half-written."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from relance.accounts.models import Membership
from relance.ledger.importing.staged import load_staged, staging_root
from relance.ledger.models import Customer, Invoice
from tests import factories as f
from tests.web.conftest import make_user

CUSTOMERS_CSV = (
    "customer_id,name,email,language\n"
    "C1,Boulangerie Martin,compta@martin.example,fr\n"
    "C2,Acme Ltd,ap@acme.example,en\n"
)
BAD_CUSTOMERS_CSV = (
    "customer_id,name,email\nC1,Martin,m@martin.example\nC2,,bad-address\nC3,Garage Dupont,g@dupont.example\n"
)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch) -> Path:
    """Staged uploads go under a data directory of the test's own."""
    folder = tmp_path / "data"
    monkeypatch.setenv("RELANCE_DATA_DIR", str(folder))
    return folder


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def write_xlsx(tmp_path: Path, name: str, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def upload(client: Client, path: Path, kind: str = "customers"):
    with path.open("rb") as handle:
        return client.post("/imports/upload/", {"kind": kind, "file": handle})


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/imports/([A-Za-z0-9_-]+)/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def text(response) -> str:
    return response.content.decode()


# --- the page -----------------------------------------------------------------------------------------------


def test_a_viewer_sees_the_page_read_only(viewer_client, workspace):
    response = viewer_client.get("/imports/")
    body = text(response)
    assert response.status_code == 200
    assert "Only collectors and admins can import files." in body
    assert 'type="file"' not in body
    assert "customer_id*" in body.replace("</code>", "").replace("<code>", "")


def test_a_collector_sees_the_upload_form(collector_client, workspace):
    body = text(collector_client.get("/imports/"))
    assert 'type="file"' in body and 'enctype="multipart/form-data"' in body


def test_a_viewer_cannot_upload(viewer_client, workspace, tmp_path):
    response = upload(viewer_client, write(tmp_path, "c.csv", CUSTOMERS_CSV))
    assert response.status_code == 403
    assert not Customer.objects.exists()


# --- good files ---------------------------------------------------------------------------------------------


def test_a_good_file_is_checked_then_imported_on_confirmation(collector_client, workspace, tmp_path):
    f.customer(workspace, "C2", name="Acme Ltd", email="old@acme.example", language="en")
    token = token_of(upload(collector_client, write(tmp_path, "customers.csv", CUSTOMERS_CSV)))
    report = collector_client.get(f"/imports/{token}/")
    body = text(report)
    assert report.status_code == 200
    assert report.context["report"]["created"] == 1 and report.context["report"]["updated"] == 1
    assert "Check of customers.csv" in body and "Import now" in body
    assert Customer.objects.count() == 1  # the dry run wrote nothing
    assert Customer.objects.get().email == "old@acme.example"

    response = collector_client.post(f"/imports/{token}/confirm/", follow=True)
    assert sorted(Customer.objects.values_list("external_id", "email")) == [
        ("C1", "compta@martin.example"),
        ("C2", "ap@acme.example"),
    ]
    body = text(response)
    assert "customers.csv imported: 1 created, 1 updated, 0 unchanged." in body
    assert "Recent imports" in body
    # The staged file is gone: confirming twice imports nothing more and the report is no longer there.
    assert collector_client.get(f"/imports/{token}/").status_code == 404
    assert collector_client.post(f"/imports/{token}/confirm/").status_code == 404
    assert not any(staging_root().iterdir())


def test_an_xlsx_file_works(collector_client, workspace, tmp_path):
    f.customer(workspace, "C1")
    rows: list[list[object]] = [
        ["Number", "Customer ID", "Issue date", "Due date", "Amount", "Currency"],
        ["F-1", "C1", "2026-01-01", "2026-01-31", 1200.5, "EUR"],
        ["F-2", "C1", "2026-02-01", "2026-03-03", 99, "EUR"],
    ]
    token = token_of(upload(collector_client, write_xlsx(tmp_path, "invoices.xlsx", rows), "invoices"))
    assert collector_client.get(f"/imports/{token}/").context["report"]["created"] == 2
    collector_client.post(f"/imports/{token}/confirm/")
    assert sorted(Invoice.objects.values_list("number", "amount")) == [("F-1", 1200.50), ("F-2", 99)]


def test_payments_import_through_the_page(collector_client, workspace, tmp_path):
    invoice = f.invoice(f.customer(workspace, "C1"), "F-1", timezone.localdate(), amount="100.00")
    csv = "invoice_number,date,amount,reference\nF-1,2026-03-01,40.00,VIR-1\n"
    token = token_of(upload(collector_client, write(tmp_path, "p.csv", csv), "payments"))
    collector_client.post(f"/imports/{token}/confirm/")
    assert list(invoice.payments.values_list("reference", flat=True)) == ["VIR-1"]


# --- bad files ----------------------------------------------------------------------------------------------


def test_every_bad_row_is_listed_and_confirming_is_refused(collector_client, workspace, tmp_path):
    token = token_of(upload(collector_client, write(tmp_path, "bad.csv", BAD_CUSTOMERS_CSV)))
    response = collector_client.get(f"/imports/{token}/")
    body = text(response)
    errors = response.context["report"]["errors"]
    assert {(e["line"], e["column"]) for e in errors} == {(3, "name"), (3, "email")}
    assert "2 errors on 1 line" in body
    rows = re.findall(r'<td class="num">(\d+)</td>\s*<td><code>(\w+)</code></td>', body)
    assert sorted(rows) == [("3", "email"), ("3", "name")]
    assert "Import now" not in body
    response = collector_client.post(f"/imports/{token}/confirm/", follow=True)
    assert "This file has bad rows" in text(response)
    assert not Customer.objects.exists()  # all or nothing: not even the good rows


def test_a_file_that_is_not_a_table_is_reported_on_its_first_line(collector_client, workspace, tmp_path):
    token = token_of(upload(collector_client, write(tmp_path, "c.csv", "customer_id;name,email\nC1;x,y\n")))
    response = collector_client.get(f"/imports/{token}/")
    [error] = response.context["report"]["errors"]
    assert error["line"] == 1 and "separator" in error["reason"]
    assert not Customer.objects.exists()


def test_a_file_too_large_is_refused_with_the_limit(collector_client, workspace, tmp_path, settings):
    settings.RELANCE_IMPORT_MAX_BYTES = 100
    response = upload(collector_client, write(tmp_path, "big.csv", CUSTOMERS_CSV * 3))
    assert response.status_code == 400
    assert "the limit is 100" in text(response)
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("customers.pdf", b"%PDF-1.4", "is not a CSV or XLSX file"),
        ("customers.xls", b"\xd0\xcf\x11\xe0\xa1\xb1", "is not a CSV or XLSX file"),
        ("customers.csv", b"\xd0\xcf\x11\xe0\xa1\xb1", "old Excel .xls file"),
        ("customers.xlsx", b"customer_id,name\n", "not an Excel workbook"),
    ],
)
def test_a_wrong_file_type_is_a_clear_error(collector_client, workspace, tmp_path, name, content, message):
    response = upload(collector_client, write(tmp_path, name, content))
    assert response.status_code == 400
    assert message in text(response)
    assert not any(staging_root().iterdir())


def test_a_missing_kind_is_a_clear_error(collector_client, workspace, tmp_path):
    path = write(tmp_path, "c.csv", CUSTOMERS_CSV)
    with path.open("rb") as handle:
        response = collector_client.post("/imports/upload/", {"kind": "suppliers", "file": handle})
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)


# --- staged files belong to one person in one workspace -----------------------------------------------------


def test_another_users_staging_id_is_not_found(collector_client, workspace, tmp_path, login_as):
    token = token_of(upload(collector_client, write(tmp_path, "c.csv", CUSTOMERS_CSV)))
    colleague = login_as("collector", "colleague@acme.example")
    assert colleague.get(f"/imports/{token}/").status_code == 404
    assert colleague.post(f"/imports/{token}/confirm/").status_code == 404
    assert colleague.post(f"/imports/{token}/discard/").status_code == 404
    assert not Customer.objects.exists()


def test_another_workspaces_staging_id_is_not_found(workspace, other_workspace, tmp_path):
    user = make_user("both@acme.example", workspace, "collector")
    Membership.objects.create(user=user, workspace=other_workspace, role="collector")
    client = Client()
    client.force_login(user)
    token = token_of(upload(client, write(tmp_path, "c.csv", CUSTOMERS_CSV)))  # in Acme (first by name)
    client.post("/workspace/switch/", {"workspace": other_workspace.pk})
    assert client.get(f"/imports/{token}/").status_code == 404
    assert client.post(f"/imports/{token}/confirm/").status_code == 404
    assert not Customer.objects.exists()


def test_a_made_up_or_path_like_staging_id_is_not_found(collector_client, workspace):
    assert collector_client.get("/imports/not-a-real-token-at-all-000/").status_code == 404
    assert collector_client.get("/imports/..%2F..%2Fetc/").status_code == 404


def test_discarding_deletes_the_staged_file(collector_client, workspace, tmp_path):
    token = token_of(upload(collector_client, write(tmp_path, "c.csv", CUSTOMERS_CSV)))
    response = collector_client.post(f"/imports/{token}/discard/", follow=True)
    assert "c.csv was discarded" in text(response)
    assert collector_client.get(f"/imports/{token}/").status_code == 404
    assert not Customer.objects.exists()


def test_staged_files_expire(collector_client, workspace, tmp_path):
    token = token_of(upload(collector_client, write(tmp_path, "c.csv", CUSTOMERS_CSV)))
    user_id = int(collector_client.session["_auth_user_id"])
    later = timezone.now() + timedelta(hours=25)
    assert load_staged(workspace, user_id, token, later) is None
    assert not any(staging_root().iterdir())
