"""The import log: every import that wrote, by whom and how; dry runs and refused files leave nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from relance.ledger.actions import ImportOrigin, do_import, do_import_rows
from relance.ledger.models import ImportLog

pytestmark = pytest.mark.django_db

CUSTOMERS = "customer_id,name,email,contact_name,language\nK1,Test Co,ap@test.example,Ann Test,en\n"


def test_a_file_import_is_logged_with_its_counts(workspace, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text(CUSTOMERS)
    do_import(workspace, "customers", path)
    do_import(workspace, "customers", path)
    first, second = ImportLog.objects.order_by("pk")
    assert (first.kind, first.source, first.via, first.created) == ("customers", "clients.csv", "cli", 1)
    assert (second.created, second.unchanged) == (0, 1)


def test_dry_runs_and_refused_files_leave_no_entry(workspace, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text(CUSTOMERS)
    do_import(workspace, "customers", path, dry_run=True)
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,name,email\nK2,,not-an-email\n")
    assert do_import(workspace, "customers", bad).errors
    assert not ImportLog.objects.exists()


def test_the_origin_names_the_person_and_the_way(workspace):
    user = User.objects.create_user("marie@acme.example")
    origin = ImportOrigin(via=ImportLog.WEB, by_id=user.pk, source="Export ERP.xlsx")
    do_import_rows(
        workspace,
        "customers",
        [{"customer_id": "K1", "name": "A", "email": "a@a.example"}],
        "x",
        origin=origin,
    )
    log = ImportLog.objects.get()
    assert (log.via, log.by, log.source) == ("web", user, "Export ERP.xlsx")


def test_single_row_upserts_can_stay_out_of_the_log(workspace):
    row = [{"customer_id": "K1", "name": "A", "email": "a@a.example"}]
    do_import_rows(workspace, "customers", row, "api", origin=ImportOrigin(via=ImportLog.API, logged=False))
    assert not ImportLog.objects.exists()
