"""Business days: weekends and the public holidays of a country."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays_for(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays.country_holidays(country, years=year).keys())
    except NotImplementedError as exc:
        raise ValueError(f"no public-holiday calendar for country {country!r}") from exc


@dataclass(frozen=True)
class BusinessCalendar:
    country: str = "FR"
    # Extra closed days (company closures) beside public holidays.
    closed: frozenset[date] = field(default_factory=frozenset)

    def is_business_day(self, day: date) -> bool:
        if day.weekday() >= 5 or day in self.closed:
            return False
        return not self.country or day not in _holidays_for(self.country, day.year)

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day


def validate_country(country: str) -> str:
    """Raise ValueError when `holidays` has no calendar for the country (ISO 3166 alpha-2)."""
    code = country.strip().upper()
    _holidays_for(code, 2026)
    return code
