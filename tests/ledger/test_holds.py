"""Holds and disputes: which days they cover, and the hold / release commands."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from relance.cli import main
from relance.engine.errors import InvalidInput
from relance.ledger.actions import do_hold, do_release
from relance.ledger.models import Hold
from relance.ledger.queries import disputed_on, holds_covering, workspace_today
from tests import factories as f

D = date(2026, 3, 10)


@pytest.fixture
def invoice(workspace):  # type: ignore[no-untyped-def]
    return f.invoice(f.customer(workspace, "C1"), "F-1", date(2026, 3, 1))


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_hold_covers_from_its_start_until_the_day_before_until(workspace, invoice):
    do_hold(workspace, "F-1", start=D, until=date(2026, 3, 20), reason="promise")
    assert holds_covering(workspace, date(2026, 3, 9)) == set()
    assert holds_covering(workspace, D) == {invoice.pk}
    assert holds_covering(workspace, date(2026, 3, 19)) == {invoice.pk}
    assert holds_covering(workspace, date(2026, 3, 20)) == set(), "on the until day it is chased again"


def test_a_released_hold_stops_covering_on_the_release_day(workspace, invoice):
    do_hold(workspace, "F-1", start=D, until=date(2026, 4, 30), reason="dispute")
    assert do_release(workspace, "F-1", on=date(2026, 3, 15)) == 1
    assert holds_covering(workspace, date(2026, 3, 14)) == {invoice.pk}, "the past stays as it was"
    assert holds_covering(workspace, date(2026, 3, 15)) == set()


def test_a_dispute_is_a_hold_with_reason_dispute(workspace, invoice):
    other = f.invoice(invoice.customer, "F-2", date(2026, 3, 1))
    do_hold(workspace, "F-1", start=D, until=date(2026, 4, 1), reason="dispute")
    do_hold(workspace, "F-2", start=D, until=date(2026, 4, 1), reason="promise")
    assert disputed_on(workspace, D) == {invoice.pk}
    assert holds_covering(workspace, D) == {invoice.pk, other.pk}


def test_holds_of_another_workspace_do_not_count(workspace, invoice):
    from relance.accounts.models import Workspace

    other = Workspace.objects.create(slug="other", name="Other", sender="Paul <paul@other.example>")
    theirs = f.invoice(f.customer(other, "C1"), "F-1", date(2026, 3, 1))
    do_hold(other, "F-1", start=D, until=date(2026, 4, 1), reason="dispute")
    assert holds_covering(workspace, D) == set()
    assert holds_covering(other, D) == {theirs.pk}


def test_release_ends_only_the_holds_still_in_effect(workspace, invoice):
    past = do_hold(workspace, "F-1", start=date(2026, 1, 1), until=date(2026, 2, 1), reason="promise")
    current = do_hold(workspace, "F-1", start=D, until=date(2026, 4, 1), reason="dispute")
    assert do_release(workspace, "F-1", on=date(2026, 3, 12)) == 1
    past.refresh_from_db()
    current.refresh_from_db()
    assert (past.released_on, current.released_on) == (None, date(2026, 3, 12))
    assert do_release(workspace, "F-1", on=date(2026, 3, 12)) == 0, "releasing twice changes nothing"


def test_until_must_be_after_the_start(workspace, invoice):
    with pytest.raises(InvalidInput, match="must be after"):
        do_hold(workspace, "F-1", start=D, until=D, reason="promise")


def test_an_unknown_invoice_cannot_be_held(workspace, invoice):
    with pytest.raises(InvalidInput, match="no invoice numbered 'F-404'"):
        do_hold(workspace, "F-404", start=D, until=date(2026, 4, 1), reason="promise")


def test_hold_command_starts_today_in_the_workspace_time_zone(workspace, invoice):
    out = run("hold", "F-1", "--until", "2099-01-01", "--reason", "promise", "--note", "pays on the 5th")
    hold = Hold.objects.get()
    assert hold.start == workspace_today(workspace)
    assert (hold.reason, hold.note, hold.until) == ("promise", "pays on the 5th", date(2099, 1, 1))
    assert "F-1 on hold (promise)" in out


def test_workspace_today_is_the_local_date():
    from relance.accounts.models import Workspace

    late_evening_utc = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert workspace_today(Workspace(timezone="Europe/Paris"), late_evening_utc) == date(2026, 3, 2)
    assert workspace_today(Workspace(timezone="America/New_York"), late_evening_utc) == date(2026, 3, 1)


def test_hold_and_release_commands_with_explicit_dates(workspace, invoice):
    run("hold", "F-1", "--from", "2026-03-10", "--until", "2026-04-01", "--reason", "dispute")
    assert disputed_on(workspace, D) == {invoice.pk}
    assert "1 hold(s) released" in run("release", "F-1", "--on", "2026-03-20")
    assert disputed_on(workspace, date(2026, 3, 20)) == set()
    assert "nothing to release" in run("release", "F-1", "--on", "2026-03-21")


@pytest.mark.parametrize(
    "args",
    [
        ["hold", "F-404", "--until", "2026-04-01", "--reason", "dispute"],
        ["hold", "F-1", "--until", "2026-13-01", "--reason", "dispute"],
        ["hold", "F-1", "--from", "2026-04-01", "--until", "2026-03-01", "--reason", "dispute"],
        ["hold", "F-1", "--until", "2026-04-01", "--reason", "bored"],
        ["hold", "F-1", "--reason", "dispute"],
        ["release", "F-404"],
        ["release", "F-1", "--on", "yesterday"],
    ],
)
@pytest.mark.django_db(transaction=True)
def test_bad_hold_input_exits_2(workspace, invoice, args, capsys):
    assert main(args) == 2
    assert capsys.readouterr().err
    assert Hold.objects.count() == 0


def test_hold_command_reports_an_unknown_invoice_clearly(workspace, invoice):
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "hold", "F-404", "--until", "2026-04-01", "--reason", "dispute", stdout=StringIO(), stderr=err
        )
    assert exit_info.value.code == 2
    assert "no invoice numbered 'F-404'" in err.getvalue()
