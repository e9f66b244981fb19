"""Reading import files: encodings, separators, XLSX cells, headers, line numbers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from relance.engine.errors import InvalidInput
from relance.ledger.actions import do_import
from relance.ledger.models import Customer, Invoice
from tests import factories as f
from tests.ledger.conftest import CUSTOMERS_CSV


def test_a_comma_separated_file_is_imported(workspace, write_file):
    report = do_import(workspace, "customers", write_file("c.csv", CUSTOMERS_CSV))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    martin = Customer.objects.get(external_id="C1")
    assert martin.tags == ["bakery", "paris"]
    assert (martin.language, martin.country, martin.timezone) == ("fr", "FR", "Europe/Paris")


def test_a_semicolon_separated_file_is_detected_from_its_header(workspace, write_file):
    text = "customer_id;name;email;tags\nC1;Martin, père et fils;m@martin.example;bakery|paris\n"
    report = do_import(workspace, "customers", write_file("c.csv", text))
    assert report.ok, report.errors
    customer = Customer.objects.get(external_id="C1")
    assert customer.name == "Martin, père et fils"
    assert customer.tags == ["bakery", "paris"]


def test_a_quoted_cell_keeps_semicolon_tags_in_a_semicolon_file(workspace, write_file):
    text = 'customer_id;name;email;tags\nC1;Martin;m@martin.example;"bakery;paris"\n'
    assert do_import(workspace, "customers", write_file("c.csv", text)).ok
    assert Customer.objects.get().tags == ["bakery", "paris"]


def test_a_byte_order_mark_is_not_part_of_the_first_column_name(workspace, write_file):
    path = write_file("c.csv", "\ufeff" + CUSTOMERS_CSV)
    report = do_import(workspace, "customers", path)
    assert report.ok, report.errors
    assert report.warnings == []
    assert Customer.objects.count() == 2


def test_windows_line_endings_are_read(workspace, write_file):
    report = do_import(workspace, "customers", write_file("c.csv", CUSTOMERS_CSV.replace("\n", "\r\n")))
    assert report.ok, report.errors
    assert Customer.objects.get(external_id="C2").segment == "key"


def test_a_header_with_both_separators_asks_to_choose(workspace, write_file):
    report = do_import(workspace, "customers", write_file("c.csv", "customer_id,name;email\nC1,x;y\n"))
    assert [(e.line, e.reason) for e in report.errors] == [
        (1, "the header line holds both ',' and ';': keep one of them as the separator")
    ]
    assert Customer.objects.count() == 0


def test_header_names_ignore_case_and_surrounding_spaces(workspace, write_file):
    text = " Customer_ID ,NAME, Email ,Contact Name\nC1,Martin,m@martin.example,Camille\n"
    report = do_import(workspace, "customers", write_file("c.csv", text))
    assert report.ok, report.errors
    assert Customer.objects.get().contact_name == "Camille"


def test_unknown_columns_are_ignored_with_a_warning(workspace, write_file):
    text = "customer_id,name,email,fax,notes\nC1,Martin,m@martin.example,0102,hello\n"
    report = do_import(workspace, "customers", write_file("c.csv", text))
    assert report.ok
    assert report.warnings == ["unknown columns ignored: fax, notes"]


def test_missing_required_columns_are_each_reported_on_line_1(workspace, write_file):
    report = do_import(workspace, "customers", write_file("c.csv", "customer_id,contact_name\nC1,Camille\n"))
    assert [(e.line, e.column) for e in report.errors] == [(1, "name"), (1, "email")]
    assert all("missing" in e.reason for e in report.errors)


def test_an_empty_file_is_an_error(workspace, write_file):
    report = do_import(workspace, "customers", write_file("c.csv", ""))
    assert [e.line for e in report.errors] == [1]
    assert "empty" in report.errors[0].reason


def test_a_header_without_rows_imports_nothing_with_a_warning(workspace, write_file):
    report = do_import(workspace, "customers", write_file("c.csv", "customer_id,name,email\n"))
    assert report.ok
    assert report.created == 0
    assert report.warnings == ["no data rows after the header"]


def test_a_latin1_file_is_refused_at_the_line_where_it_breaks(workspace, write_file):
    text = "customer_id,name,email\nC1,Martin,m@martin.example\nC2,Société Générale,sg@sg.example\n"
    report = do_import(workspace, "customers", write_file("c.csv", text, encoding="latin-1"))
    assert [e.line for e in report.errors] == [3]
    assert "UTF-8" in report.errors[0].reason
    assert Customer.objects.count() == 0


def test_a_utf16_file_is_refused_with_the_way_out(workspace, write_file):
    report = do_import(workspace, "customers", write_file("c.csv", CUSTOMERS_CSV, encoding="utf-16"))
    assert "CSV UTF-8" in report.errors[0].reason


def test_a_missing_file_is_invalid_input(workspace, tmp_path):
    with pytest.raises(InvalidInput, match="no such file"):
        do_import(workspace, "customers", tmp_path / "nope.csv")


def test_an_old_excel_file_is_refused(workspace, tmp_path):
    path = tmp_path / "c.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(InvalidInput, match=r"\.xlsx"):
        do_import(workspace, "customers", path)


def test_an_unknown_kind_is_invalid_input(workspace, write_file):
    with pytest.raises(InvalidInput, match="unknown import kind"):
        do_import(workspace, "credit_notes", write_file("c.csv", CUSTOMERS_CSV))


def test_an_unquoted_decimal_comma_in_a_comma_file_is_reported_not_misread(workspace, write_file):
    f.customer(workspace, "C1")
    text = "number,customer_id,issue_date,due_date,amount,currency\nF1,C1,2026-01-01,2026-01-31,1234,56,EUR\n"
    report = do_import(workspace, "invoices", write_file("i.csv", text))
    assert [(e.line, e.column) for e in report.errors] == [(2, "")]
    assert "double quotes" in report.errors[0].reason
    assert Invoice.objects.count() == 0


def test_blank_rows_are_skipped_and_line_numbers_stay_those_of_the_sheet(workspace, write_file):
    text = "customer_id,name,email\nC1,Martin,m@martin.example\n,,\n\nC2,Acme,not-an-address\n"
    report = do_import(workspace, "customers", write_file("c.csv", text))
    assert [(e.line, e.column) for e in report.errors] == [(5, "email")]


def test_a_quoted_cell_on_two_lines_counts_as_one_spreadsheet_row(workspace, write_file):
    text = 'customer_id,name,email\nC1,"Martin\nBoulangerie",m@martin.example\nC2,Acme,bad\n'
    report = do_import(workspace, "customers", write_file("c.csv", text))
    assert [(e.line, e.column) for e in report.errors] == [(3, "email")]


def test_xlsx_with_real_dates_and_numeric_cells(workspace, write_xlsx):
    f.customer(workspace, "1001")
    path = write_xlsx(
        "invoices.xlsx",
        [
            ["Number", "Customer_ID", "Issue_Date", "Due_Date", "Amount", "Currency"],
            ["F-1", 1001, datetime(2026, 1, 5), date(2026, 2, 4), 1234.56, "EUR"],
            ["F-2", "1001", "2026-01-06", "2026-02-05", 80, "eur"],
            ["F-3", 1001.0, "2026-01-06", "2026-02-05", 1.1 * 3, "EUR"],  # a computed 3.3000000000000003
        ],
    )
    report = do_import(workspace, "invoices", path)
    assert report.ok, report.errors
    first, second, third = Invoice.objects.order_by("number")
    assert (first.issue_date, first.due_date, first.amount) == (
        date(2026, 1, 5),
        date(2026, 2, 4),
        Decimal("1234.56"),
    )
    assert (second.due_date, second.amount, second.currency) == (date(2026, 2, 5), Decimal("80.00"), "EUR")
    assert third.amount == Decimal("3.30")
    assert do_import(workspace, "invoices", path).unchanged == 3


def test_xlsx_errors_name_the_sheet_row(workspace, write_xlsx):
    path = write_xlsx(
        "customers.xlsx",
        [
            ["customer_id", "name", "email"],
            ["C1", "Martin", "m@martin.example"],
            [None, None, None],
            ["C2", "Acme", "nope"],
        ],
    )
    report = do_import(workspace, "customers", path)
    assert [(e.line, e.column, e.value) for e in report.errors] == [(4, "email", "nope")]


def test_a_broken_xlsx_is_invalid_input(workspace, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InvalidInput, match="XLSX"):
        do_import(workspace, "customers", path)


def test_unquoted_tags_in_a_semicolon_file_are_reported_not_misread(workspace, write_file):
    text = "customer_id;name;email;tags\nC1;Martin;m@martin.example;bakery;paris\n"
    report = do_import(workspace, "customers", write_file("c.csv", text))
    assert [(e.line, e.value) for e in report.errors] == [(2, "paris")]
    assert "double quotes" in report.errors[0].reason
