"""The sending window: messages leave between two local times, on allowed days only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.engine.calendar import BusinessCalendar
from relance.engine.errors import InvalidInput
from relance.engine.window import SendingWindow

FRANCE = BusinessCalendar("FR")
OFFICE_HOURS = SendingWindow(time(9, 0), time(17, 0))
PARIS = ZoneInfo("Europe/Paris")


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=PARIS)


# --- parse ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("09:00-17:00", time(9), time(17)),
        (" 08:30-18:45 ", time(8, 30), time(18, 45)),
        ("00:00-23:59", time(0), time(23, 59)),
    ],
)
def test_window_in_hh_mm_form_is_accepted(text: str, start: time, end: time) -> None:
    assert SendingWindow.parse(text) == SendingWindow(start, end)


@pytest.mark.parametrize(
    "text",
    ["", "9:00-17:00", "09:00 - 17:00", "09h00-17h00", "24:00-25:00", "09:60-17:00", "09:00", "9 to 5"],
)
def test_window_not_in_hh_mm_form_is_refused_with_the_text_quoted(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        SendingWindow.parse(text)

    assert str(caught.value) == f"sending window {text!r}: expected HH:MM-HH:MM, for example 09:00-17:00"


@pytest.mark.parametrize("text", ["17:00-09:00", "09:00-09:00"])
def test_window_that_ends_before_it_starts_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="the end must be after the start") as caught:
        SendingWindow.parse(text)

    assert repr(text) in str(caught.value)


# --- next_opening -----------------------------------------------------------------------------------------

TUESDAY = date(2026, 3, 3)


def test_before_the_window_waits_for_the_opening_the_same_day() -> None:
    assert OFFICE_HOURS.next_opening(at(TUESDAY, 6, 12), FRANCE, True) == at(TUESDAY, 9)


def test_inside_the_window_sends_now() -> None:
    now = at(TUESDAY, 11, 23, 45)

    assert OFFICE_HOURS.next_opening(now, FRANCE, True) == now


def test_at_the_opening_minute_sends_now() -> None:
    assert OFFICE_HOURS.next_opening(at(TUESDAY, 9), FRANCE, True) == at(TUESDAY, 9)


def test_last_second_of_the_window_sends_now() -> None:
    now = at(TUESDAY, 16, 59, 59)

    assert OFFICE_HOURS.next_opening(now, FRANCE, True) == now


@pytest.mark.parametrize(("hour", "minute"), [(17, 0), (21, 30), (23, 59)])
def test_after_the_window_waits_for_the_next_day(hour: int, minute: int) -> None:
    opening = OFFICE_HOURS.next_opening(at(TUESDAY, hour, minute), FRANCE, True)

    assert opening == at(TUESDAY + timedelta(days=1), 9)


@pytest.mark.parametrize(
    "now",
    [at(date(2026, 3, 6), 17, 30), at(date(2026, 3, 7), 10), at(date(2026, 3, 8), 8)],
    ids=["friday-evening", "saturday", "sunday"],
)
def test_weekend_waits_for_monday(now: datetime) -> None:
    assert OFFICE_HOURS.next_opening(now, FRANCE, True) == at(date(2026, 3, 9), 9)


def test_labour_day_friday_waits_over_the_long_weekend() -> None:
    # 1 May 2026 is a Friday and a public holiday: from Thursday evening, the next opening is Monday 4 May.
    assert OFFICE_HOURS.next_opening(at(date(2026, 4, 30), 18), FRANCE, True) == at(date(2026, 5, 4), 9)
    assert OFFICE_HOURS.next_opening(at(date(2026, 5, 1), 10), FRANCE, True) == at(date(2026, 5, 4), 9)


def test_bastille_day_waits_for_the_day_after() -> None:
    assert OFFICE_HOURS.next_opening(at(date(2026, 7, 14), 10), FRANCE, True) == at(date(2026, 7, 15), 9)
    assert OFFICE_HOURS.next_opening(at(date(2026, 7, 13), 17), FRANCE, True) == at(date(2026, 7, 15), 9)


def test_company_closure_waits_like_a_holiday() -> None:
    calendar = BusinessCalendar("FR", closed=frozenset({TUESDAY}))

    assert OFFICE_HOURS.next_opening(at(TUESDAY, 10), calendar, True) == at(TUESDAY + timedelta(days=1), 9)


def test_every_day_allowed_sends_on_weekends_and_holidays_inside_the_window() -> None:
    saturday, labour_day = date(2026, 3, 7), date(2026, 5, 1)

    assert OFFICE_HOURS.next_opening(at(saturday, 10), FRANCE, False) == at(saturday, 10)
    assert OFFICE_HOURS.next_opening(at(labour_day, 7), FRANCE, False) == at(labour_day, 9)
    assert OFFICE_HOURS.next_opening(at(labour_day, 18), FRANCE, False) == at(date(2026, 5, 2), 9)


def test_opening_keeps_the_local_timezone_across_a_clock_change() -> None:
    # Clocks go forward in Paris in the night of 28 to 29 March 2026 (a Saturday to Sunday): Monday 9:00 CEST.
    opening = OFFICE_HOURS.next_opening(at(date(2026, 3, 27), 18), FRANCE, True)

    assert opening == at(date(2026, 3, 30), 9)
    assert opening.tzinfo is PARIS
    assert opening.utcoffset() == timedelta(hours=2)


def test_naive_local_time_gives_a_naive_opening() -> None:
    opening = OFFICE_HOURS.next_opening(datetime(2026, 3, 3, 7, 0), FRANCE, True)

    assert opening == datetime(2026, 3, 3, 9, 0)


@settings(max_examples=150, deadline=None)
@given(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
    st.booleans(),
)
def test_next_opening_is_the_first_allowed_moment_not_before_now(
    now: datetime, business_days_only: bool
) -> None:
    opening = OFFICE_HOURS.next_opening(now, FRANCE, business_days_only)

    def allowed_day(day: date) -> bool:
        return not business_days_only or FRANCE.is_business_day(day)

    assert opening >= now
    assert allowed_day(opening.date())
    assert OFFICE_HOURS.start <= opening.time() < OFFICE_HOURS.end
    inside_now = allowed_day(now.date()) and OFFICE_HOURS.start <= now.time() < OFFICE_HOURS.end
    assert (opening == now) == inside_now
    if opening != now:
        # The wait ends at the opening of the first allowed day on which the window has not closed yet.
        assert opening.time() == OFFICE_HOURS.start
        first = now.date() if now.time() < OFFICE_HOURS.start else now.date() + timedelta(days=1)
        skipped = [first + timedelta(days=n) for n in range((opening.date() - first).days)]
        assert not any(allowed_day(day) for day in skipped)
