"""Excluding a customer from the chase and including it again."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from relance.cli import main
from relance.engine.errors import InvalidInput
from relance.ledger.actions import do_exclude, do_include
from relance.ledger.models import Customer
from tests import factories as f


@pytest.fixture
def martin(workspace):  # type: ignore[no-untyped-def]
    return f.customer(workspace, "C1", name="Martin")


def test_exclude_then_include(workspace, martin):
    do_exclude(workspace, "C1", "in receivership")
    martin.refresh_from_db()
    assert (martin.excluded, martin.excluded_reason) == (True, "in receivership")
    do_include(workspace, "C1")
    martin.refresh_from_db()
    assert (martin.excluded, martin.excluded_reason) == (False, "")


def test_excluding_twice_keeps_the_latest_reason(workspace, martin):
    do_exclude(workspace, "C1", "first")
    do_exclude(workspace, "C1", "second")
    assert Customer.objects.get().excluded_reason == "second"


def test_an_unknown_customer_is_invalid_input(workspace, martin):
    with pytest.raises(InvalidInput, match="no customer with customer_id 'C9'"):
        do_exclude(workspace, "C9")
    with pytest.raises(InvalidInput, match="no customer"):
        do_include(workspace, "C9")


def test_a_too_long_reason_is_refused(workspace, martin):
    with pytest.raises(InvalidInput, match="longer than 200"):
        do_exclude(workspace, "C1", "x" * 201)
    assert not Customer.objects.get().excluded


def test_commands(workspace, martin):
    out = StringIO()
    call_command("exclude", "C1", "--reason", "lawyer handles it", stdout=out)
    assert "C1 (Martin) excluded" in out.getvalue()
    assert Customer.objects.get().excluded
    call_command("include", "C1", stdout=out)
    assert not Customer.objects.get().excluded


@pytest.mark.django_db(transaction=True)
def test_unknown_customer_exits_2_with_a_message(workspace, martin, capsys):
    assert main(["exclude", "C9"]) == 2
    assert "no customer with customer_id 'C9'" in capsys.readouterr().err
    assert main(["include", "C9"]) == 2
    assert main(["exclude", "C1"]) == 0
    assert Customer.objects.get().excluded
