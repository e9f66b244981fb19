"""The sending window: messages leave between two local times, on business days of the workspace."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from relance.engine.calendar import BusinessCalendar
from relance.engine.errors import InvalidInput

_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class SendingWindow:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> SendingWindow:
        match = _WINDOW.match(text.strip())
        if not match:
            raise InvalidInput(f"sending window {text!r}: expected HH:MM-HH:MM, for example 09:00-17:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = time(h1, m1), time(h2, m2)
        if end <= start:
            raise InvalidInput(f"sending window {text!r}: the end must be after the start")
        return cls(start, end)

    def next_opening(
        self, local_now: datetime, calendar: BusinessCalendar, business_days_only: bool
    ) -> datetime:
        """`local_now` if it is inside the window on an allowed day, else the next moment that is."""
        candidate = local_now
        for _ in range(370):
            allowed_day = not business_days_only or calendar.is_business_day(candidate.date())
            if allowed_day:
                opens = candidate.replace(
                    hour=self.start.hour, minute=self.start.minute, second=0, microsecond=0
                )
                closes = candidate.replace(
                    hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0
                )
                if candidate < opens:
                    return opens
                if candidate < closes:
                    return candidate
            next_day = (candidate + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            candidate = next_day
        raise ValueError("no allowed sending day within a year")
