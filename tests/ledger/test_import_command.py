"""`relance import` as users run it: output, --json, --dry-run, exit codes."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from relance.cli import main
from relance.ledger.models import Customer
from tests.ledger.conftest import CUSTOMERS_CSV

BAD_CUSTOMERS = "customer_id,name,email\nC1,Martin,m@martin.example\nC2,,bad-address\nC1,Again,a@a.example\n"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_a_summary(workspace, write_file):
    out, _ = run("import", "customers", str(write_file("customers.csv", CUSTOMERS_CSV)))
    assert "customers 2 created, 0 updated, 0 unchanged" in out
    out, _ = run("import", "customers", str(write_file("customers.csv", CUSTOMERS_CSV)))
    assert "0 created, 0 updated, 2 unchanged" in out


def test_import_json_has_the_documented_keys(workspace, write_file):
    path = write_file("customers.csv", CUSTOMERS_CSV)
    out, _ = run("import", "customers", str(path), "--json")
    data = json.loads(out)
    assert data == {
        "kind": "customers",
        "file": str(path),
        "dry_run": False,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "warnings": [],
    }


def test_bad_rows_exit_2_with_every_error_in_json(workspace, write_file):
    path = write_file("customers.csv", BAD_CUSTOMERS)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "customers", str(path), "--json", stdout=out, stderr=StringIO())
    assert exit_info.value.code == 2
    errors = json.loads(out.getvalue())["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [(3, "name"), (3, "email"), (4, "customer_id")]
    assert errors[1] == {
        "line": 3,
        "column": "email",
        "value": "bad-address",
        "reason": "is not a valid e-mail address",
    }
    assert Customer.objects.count() == 0


def test_bad_rows_are_listed_for_people(workspace, write_file):
    path = write_file("customers.csv", BAD_CUSTOMERS)
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit):
        call_command("import", "customers", str(path), stdout=out, stderr=err)
    assert f"{path} line 3, column email: 'bad-address' is not a valid e-mail address" in out.getvalue()
    assert "nothing imported" in out.getvalue()
    assert "3 errors on 2 lines" in err.getvalue()


def test_dry_run_option_writes_nothing(workspace, write_file):
    out, _ = run("import", "customers", str(write_file("customers.csv", CUSTOMERS_CSV)), "--dry-run")
    assert "dry run" in out
    assert Customer.objects.count() == 0


def test_a_missing_file_exits_2(workspace, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "customers", str(tmp_path / "nope.csv"), stdout=StringIO(), stderr=StringIO())
    assert exit_info.value.code == 2


def test_a_named_workspace_is_used(workspace, write_file):
    from relance.accounts.models import Workspace

    other = Workspace.objects.create(slug="other", name="Other", sender="Paul <paul@other.example>")
    run("import", "customers", str(write_file("customers.csv", CUSTOMERS_CSV)), "--workspace", "other")
    assert Customer.objects.filter(workspace=other).count() == 2
    assert Customer.objects.filter(workspace=workspace).count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_relance_script_exits_0_then_2_on_bad_input(workspace, write_file, capsys):
    assert main(["import", "customers", str(write_file("good.csv", CUSTOMERS_CSV))]) == 0
    assert main(["import", "customers", str(write_file("bad.csv", BAD_CUSTOMERS))]) == 2
    assert main(["import", "customers", str(write_file("bad.csv", BAD_CUSTOMERS)), "--dry-run"]) == 2
    assert main(["import", "payments"]) == 2  # missing FILE: argparse
    assert "line 3, column email" in capsys.readouterr().out
    assert Customer.objects.count() == 2


def test_help_describes_the_columns(capsys):
    assert main(["import", "--help"]) == 0
    text = capsys.readouterr().out
    for words in ("customer_id", "invoice_number", "--dry-run", "--json", "--workspace", "1234,56"):
        assert words in text
