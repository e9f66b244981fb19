"""Business days: weekends, the public holidays of the workspace's country, and the company's own closures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.engine.calendar import BusinessCalendar, validate_country

FRANCE = BusinessCalendar("FR")


@pytest.mark.parametrize("day", [date(2026, 3, 2), date(2026, 4, 30), date(2026, 7, 13), date(2026, 7, 15)])
def test_ordinary_weekday_is_a_business_day(day: date) -> None:
    assert FRANCE.is_business_day(day)


@pytest.mark.parametrize("day", [date(2026, 3, 7), date(2026, 3, 8)])
def test_weekend_is_not_a_business_day(day: date) -> None:
    assert not FRANCE.is_business_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),  # Labour Day, a Friday
        date(2026, 5, 8),  # Victory in Europe Day
        date(2026, 5, 14),  # Ascension Thursday
        date(2026, 7, 14),  # Bastille Day, a Tuesday
        date(2026, 11, 11),  # Armistice Day
        date(2026, 12, 25),  # Christmas Day
    ],
)
def test_french_public_holiday_is_not_a_business_day(day: date) -> None:
    assert day.weekday() < 5
    assert not FRANCE.is_business_day(day)


def test_holidays_are_those_of_the_workspace_country() -> None:
    good_friday = date(2026, 4, 3)
    bastille_day = date(2026, 7, 14)

    assert FRANCE.is_business_day(good_friday)
    assert not BusinessCalendar("DE").is_business_day(good_friday)
    assert BusinessCalendar("DE").is_business_day(bastille_day)


def test_company_closure_is_not_a_business_day() -> None:
    closure = date(2026, 8, 14)
    calendar = BusinessCalendar("FR", closed=frozenset({closure}))

    assert FRANCE.is_business_day(closure)
    assert not calendar.is_business_day(closure)


def test_calendar_without_country_only_skips_weekends() -> None:
    calendar = BusinessCalendar("")

    assert calendar.is_business_day(date(2026, 5, 1))
    assert not calendar.is_business_day(date(2026, 5, 2))


def test_unknown_country_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'XX'"):
        BusinessCalendar("XX").is_business_day(date(2026, 3, 2))


def test_validate_country_normalises_the_code() -> None:
    assert validate_country(" fr ") == "FR"


def test_validate_country_refuses_a_country_without_calendar() -> None:
    with pytest.raises(ValueError, match="no public-holiday calendar for country 'ZZ'"):
        validate_country("zz")


@pytest.mark.parametrize(
    ("day", "next_day"),
    [
        (date(2026, 3, 2), date(2026, 3, 3)),  # Monday -> Tuesday
        (date(2026, 3, 6), date(2026, 3, 9)),  # Friday -> Monday
        (date(2026, 3, 7), date(2026, 3, 9)),  # Saturday -> Monday
        (date(2026, 4, 30), date(2026, 5, 4)),  # 1 May is a Friday: over the holiday and the weekend
        (date(2026, 7, 13), date(2026, 7, 15)),  # over Bastille Day
        (date(2026, 12, 24), date(2026, 12, 28)),  # over Christmas and the weekend
        (date(2026, 12, 31), date(2027, 1, 4)),  # into the next year's holidays
    ],
)
def test_next_business_day_skips_weekends_and_holidays(day: date, next_day: date) -> None:
    assert FRANCE.next_business_day(day) == next_day


def test_next_business_day_is_strictly_after_the_day() -> None:
    assert FRANCE.next_business_day(date(2026, 3, 3)) == date(2026, 3, 4)


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)))
def test_next_business_day_is_the_first_business_day_after(day: date) -> None:
    found = FRANCE.next_business_day(day)

    assert found > day
    assert FRANCE.is_business_day(found)
    between = [day + timedelta(days=n) for n in range(1, (found - day).days)]
    assert not any(FRANCE.is_business_day(d) for d in between)
    assert (found - day).days <= 4
