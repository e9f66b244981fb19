"""Amounts as users type them, read into Decimal without ever guessing.

Rule: the decimal separator is `.` or `,` followed by one or two digits. Spaces (including non-breaking ones)
and apostrophes may group thousands. Any other use of `.` or `,` (both present, or three digits after the
only separator, as in `1,234`) is ambiguous between a thousands and a decimal separator and is refused.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from relance.engine.errors import InvalidInput

_GROUPING = str.maketrans("", "", " \u00a0\u202f'")
_PLAIN = re.compile(r"^[-+]?\d+(?:[.,]\d{1,2})?$")
CENT = Decimal("0.01")


def parse_amount(text: str) -> Decimal:
    raw = str(text).strip()
    compact = raw.translate(_GROUPING)
    if not _PLAIN.match(compact):
        if re.match(r"^[-+]?\d+[.,]\d{3}$", compact):
            raise InvalidInput(
                f"amount {raw!r} is ambiguous: write 1234.56, 1234,56 or 1 234,56 (at most two decimals, "
                "no `.` or `,` between thousands)"
            )
        raise InvalidInput(f"amount {raw!r} is not a number like 1234.56 or 1234,56")
    try:
        return Decimal(compact.replace(",", ".")).quantize(CENT)
    except InvalidOperation:
        # More digits than Decimal's context holds once cents are added: refuse rather than crash.
        raise InvalidInput(f"amount {raw!r} is too large") from None


def format_plain(amount: Decimal) -> str:
    """The canonical decimal string used in JSON and CSV output: `1234.50`."""
    return str(amount.quantize(CENT))
