"""Options shared by the ledger commands (Django skips command modules whose name starts with `_`)."""

from __future__ import annotations

import re
from datetime import date

from relance.engine.errors import InvalidInput

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str, option: str) -> date:
    value = text.strip()
    try:
        if not _ISO_DATE.match(value):
            raise ValueError("expected YYYY-MM-DD")
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{option} {text!r} is not a date written YYYY-MM-DD ({exc})") from None
