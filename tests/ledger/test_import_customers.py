"""Importing customers: upsert by customer_id, every value checked."""

from __future__ import annotations

from relance.ledger.actions import do_import, do_import_rows
from relance.ledger.models import Customer
from tests import factories as f
from tests.ledger.conftest import CUSTOMERS_CSV


def rows(*items: dict[str, str]) -> list[dict[str, str]]:
    base = {"customer_id": "C1", "name": "Martin", "email": "m@martin.example"}
    return [{**base, **item} for item in items]


def test_reimporting_the_same_file_changes_nothing(workspace, write_file):
    path = write_file("customers.csv", CUSTOMERS_CSV)
    first = do_import(workspace, "customers", path)
    before = list(Customer.objects.values_list("updated_at", flat=True).order_by("pk"))
    again = do_import(workspace, "customers", path)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Customer.objects.values_list("updated_at", flat=True).order_by("pk")) == before


def test_a_changed_field_updates_the_customer_in_place(workspace, write_file):
    do_import(workspace, "customers", write_file("a.csv", CUSTOMERS_CSV))
    pk = Customer.objects.get(external_id="C2").pk
    changed = CUSTOMERS_CSV.replace("ap@acme.example", "finance@acme.example")
    report = do_import(workspace, "customers", write_file("b.csv", changed))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    acme = Customer.objects.get(external_id="C2")
    assert (acme.pk, acme.email) == (pk, "finance@acme.example")


def test_a_column_left_out_leaves_the_field_alone(workspace):
    f.customer(workspace, "C1", segment="key", tags=["vip"], pinned_policy="gentle", excluded=True)
    report = do_import_rows(workspace, "customers", rows({"name": "Martin SA"}), "rows")
    assert report.updated == 1
    customer = Customer.objects.get()
    assert (customer.name, customer.segment, customer.tags, customer.pinned_policy) == (
        "Martin SA",
        "key",
        ["vip"],
        "gentle",
    )
    assert customer.excluded, "an import never resumes chasing an excluded customer"


def test_an_empty_cell_clears_an_optional_field(workspace):
    f.customer(workspace, "C1", name="Martin", email="m@martin.example", segment="key")
    report = do_import_rows(workspace, "customers", rows({"segment": ""}), "rows")
    assert report.updated == 1
    assert Customer.objects.get().segment == ""


def test_language_defaults_to_french_and_accepts_a_regional_tag(workspace):
    report = do_import_rows(
        workspace,
        "customers",
        rows(
            {"language": ""},
            {"customer_id": "C2", "language": "en_GB"},
            {"customer_id": "C3", "language": "FR"},
        ),
        "rows",
    )
    assert report.ok, report.errors
    assert dict(Customer.objects.values_list("external_id", "language")) == {
        "C1": "fr",
        "C2": "en",
        "C3": "fr",
    }


def test_policy_column_pins_the_customer(workspace):
    do_import_rows(workspace, "customers", rows({"policy": "key-accounts"}), "rows")
    assert Customer.objects.get().pinned_policy == "key-accounts"


def test_time_zone_is_taken_in_its_iana_spelling(workspace):
    do_import_rows(workspace, "customers", rows({"timezone": "europe/brussels", "country": "be"}), "rows")
    customer = Customer.objects.get()
    assert (customer.timezone, customer.country) == ("Europe/Brussels", "BE")


def test_tags_are_trimmed_and_deduplicated(workspace):
    do_import_rows(workspace, "customers", rows({"tags": " b2b | paris ;b2b;; "}), "rows")
    assert Customer.objects.get().tags == ["b2b", "paris"]


def test_every_bad_value_is_reported_with_its_line_and_column(workspace):
    report = do_import_rows(
        workspace,
        "customers",
        rows(
            {"email": "not-an-address"},
            {"customer_id": "C2", "language": "de", "country": "XX", "timezone": "Mars/Olympus"},
            {"customer_id": "", "name": ""},
            {"customer_id": "C4", "name": "x" * 201},
        ),
        "rows",
    )
    assert [(e.line, e.column) for e in report.errors] == [
        (2, "email"),
        (3, "language"),
        (3, "country"),
        (3, "timezone"),
        (4, "customer_id"),
        (4, "name"),
        (5, "name"),
    ]
    assert report.errors[0].value == "not-an-address"
    assert Customer.objects.count() == 0


def test_a_duplicate_key_is_an_error_on_the_later_line(workspace):
    report = do_import_rows(
        workspace, "customers", rows({}, {"customer_id": "C2"}, {"name": "Other"}), "rows"
    )
    assert [(e.line, e.column, e.value, e.reason) for e in report.errors] == [
        (4, "customer_id", "C1", "duplicate: already on line 2")
    ]
    assert Customer.objects.count() == 0


def test_nothing_is_written_when_one_row_is_bad(workspace):
    f.customer(workspace, "C1", name="Old name")
    report = do_import_rows(
        workspace,
        "customers",
        rows({"name": "New name"}, {"customer_id": "C2"}, {"customer_id": "C3", "email": "bad"}),
        "rows",
    )
    assert not report.ok
    assert list(Customer.objects.values_list("external_id", "name")) == [("C1", "Old name")]


def test_dry_run_counts_without_writing(workspace, write_file):
    f.customer(workspace, "C1", name="Old name")
    report = do_import(workspace, "customers", write_file("c.csv", CUSTOMERS_CSV), dry_run=True)
    assert report.ok and report.dry_run and not report.written
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert list(Customer.objects.values_list("external_id", "name")) == [("C1", "Old name")]


def test_customers_of_another_workspace_are_not_touched(workspace):
    from relance.accounts.models import Workspace

    other = Workspace.objects.create(slug="other", name="Other", sender="Paul <paul@other.example>")
    f.customer(other, "C1", name="Theirs")
    report = do_import_rows(workspace, "customers", rows({}), "rows")
    assert report.created == 1
    assert Customer.objects.get(workspace=other).name == "Theirs"


def test_rows_given_as_mappings_accept_loose_column_names(workspace):
    report = do_import_rows(
        workspace,
        "customers",
        [{"Customer ID": "C1", "Name": "Martin", "E-mail": "x", "EMAIL": "m@m.example"}],
        "api",
    )
    assert report.ok, report.errors
    assert report.warnings == ["unknown columns ignored: e_mail"]
