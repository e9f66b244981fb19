"""One row of an import, checked on its own (no database): every bad value becomes a RowError.

A column absent from the file leaves the field alone on update (and takes its default on create); a column
present with an empty cell sets the field to empty. Cross-row and database checks live in `planning`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from relance.engine.errors import InvalidInput
from relance.engine.money import parse_amount
from relance.ledger.importing.reading import cell_text
from relance.ledger.importing.report import RowError

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COLUMN_SPACES = re.compile(r"[\s\-]+")
_TAG_SEPARATORS = re.compile(r"[;|]")
MAX_AMOUNT = Decimal("1000000000000")  # DecimalField(max_digits=14, decimal_places=2)
NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}
NOT_CURRENCIES = {"XTS", "XXX"}


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    from babel import Locale

    codes = Locale("en").territories
    return frozenset(
        c for c in codes if isinstance(c, str) and len(c) == 2 and c.isalpha() and c not in NOT_COUNTRIES
    )


@lru_cache(maxsize=1)
def currencies() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies()) - NOT_CURRENCIES


@lru_cache(maxsize=1)
def timezones() -> dict[str, str]:
    """IANA names by their lower-case spelling: `europe/paris` is taken as `Europe/Paris`."""
    from zoneinfo import available_timezones

    return {name.lower(): name for name in available_timezones()}


@lru_cache(maxsize=512)
def normalise_column(name: object) -> str:
    """`  Customer ID ` and `customer-id` both name the column `customer_id`."""
    text = cell_text(name).replace("\ufeff", "").strip().lower()
    return _COLUMN_SPACES.sub("_", text)


@dataclass(slots=True)
class ParsedRow:
    line: int
    key: Any  # customers: customer_id; invoices: number; payments: (invoice_number, reference)
    fields: dict[str, Any]  # model field name -> value, for the columns the file has
    parent: str = ""  # an invoice's customer_id, a payment's invoice number


class Cells:
    """The values of one row by column name; each reader method records what it refuses."""

    def __init__(self, line: int, values: Mapping[str, Any], columns: frozenset[str]) -> None:
        self.line = line
        self.values = values
        self.columns = columns
        self.errors: list[RowError] = []

    def has(self, column: str) -> bool:
        return column in self.columns

    def raw(self, column: str) -> str:
        value = self.values.get(column)
        return (value if isinstance(value, str) else cell_text(value)).strip()

    def fail(self, column: str, value: str, reason: str) -> None:
        self.errors.append(RowError(self.line, column, value, reason))

    def text(self, column: str, max_length: int, required: bool = False) -> str:
        value = self.raw(column)
        if required and not value:
            self.fail(column, value, "is required")
        elif len(value) > max_length:
            self.fail(column, value, f"is longer than {max_length} characters")
        return value

    def choice(self, column: str, choices: tuple[str, ...], default: str) -> str:
        value = self.raw(column)
        chosen = value.lower() or default
        if chosen not in choices:
            self.fail(column, value, f"must be one of {', '.join(choices)}")
        return chosen

    def language(self, column: str) -> str:
        """fr or en (default fr); a language tag such as fr-BE or en_GB keeps its language."""
        value = self.raw(column)
        chosen = re.split(r"[-_]", value.lower())[0] or "fr"
        if chosen not in ("fr", "en"):
            self.fail(column, value, "must be fr or en")
        return chosen

    def date(self, column: str) -> date | None:
        value = self.raw(column)
        if not value:
            self.fail(column, value, "is required (a date written YYYY-MM-DD)")
            return None
        if not _ISO_DATE.match(value):
            self.fail(column, value, "is not a date written YYYY-MM-DD")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            self.fail(column, value, f"is not a real date ({exc})")
            return None

    def amount(self, column: str) -> Decimal | None:
        value = self.raw(column)
        if not value:
            self.fail(column, value, "is required")
            return None
        try:
            amount = parse_amount(value)
        except InvalidInput as exc:
            self.fail(column, value, str(exc))
            return None
        if amount <= 0:
            self.fail(column, value, "must be more than 0")
        elif amount >= MAX_AMOUNT:
            self.fail(column, value, "is too large")
        return amount

    def email(self, column: str) -> str:
        value = self.text(column, 254, required=True)
        if value and len(value) <= 254:
            try:
                validate_email(value)
            except ValidationError:
                self.fail(column, value, "is not a valid e-mail address")
        return value

    def url(self, column: str) -> str:
        value = self.text(column, 500)
        if value and len(value) <= 500:
            parts = urlsplit(value)
            if parts.scheme.lower() not in {"http", "https"} or not parts.netloc or re.search(r"\s", value):
                self.fail(column, value, "is not an http:// or https:// address")
        return value

    def country(self, column: str) -> str:
        value = self.raw(column).upper()
        if value and value not in countries():
            self.fail(column, value, "is not an ISO 3166 country code such as FR, BE or GB")
        return value

    def timezone(self, column: str) -> str:
        value = self.raw(column)
        if not value:
            return ""
        name = timezones().get(value.lower())
        if name is None:
            self.fail(column, value, "is not an IANA time zone such as Europe/Paris")
            return ""
        return name

    def currency(self, column: str) -> str:
        value = self.raw(column).upper()
        if not value:
            self.fail(column, value, "is required (an ISO 4217 code such as EUR)")
        elif value not in currencies():
            self.fail(column, value, "is not an ISO 4217 currency code such as EUR, USD or GBP")
        return value

    def tags(self, column: str) -> list[str]:
        """Tags are separated by `;` or `|` (in a `;`-separated CSV file, quote the cell or use `|`)."""
        tags: list[str] = []
        for tag in _TAG_SEPARATORS.split(self.raw(column)):
            if tag.strip() and tag.strip() not in tags:
                tags.append(tag.strip())
        return tags


Reader = Callable[[Cells, str], Any]
CUSTOMER_OPTIONAL: dict[str, tuple[str, Reader]] = {
    # column: (model field, reader)
    "contact_name": ("contact_name", lambda c, col: c.text(col, 200)),
    "language": ("language", Cells.language),
    "country": ("country", Cells.country),
    "timezone": ("timezone", Cells.timezone),
    "segment": ("segment", lambda c, col: c.text(col, 100)),
    "tags": ("tags", Cells.tags),
    "policy": ("pinned_policy", lambda c, col: c.text(col, 100)),
}
INVOICE_OPTIONAL: dict[str, tuple[str, Reader]] = {
    "status": ("status", lambda c, col: c.choice(col, ("open", "void"), default="open")),
    "pdf_url": ("pdf_url", Cells.url),
    "payment_url": ("payment_url", Cells.url),
}


def _optional(cells: Cells, fields: dict[str, Any], readers: dict[str, tuple[str, Reader]]) -> None:
    for column, (field_name, reader) in readers.items():
        if cells.has(column):
            fields[field_name] = reader(cells, column)


def parse_customer(cells: Cells) -> ParsedRow | None:
    key = cells.text("customer_id", 100, required=True)
    fields = {
        "external_id": key,
        "name": cells.text("name", 200, required=True),
        "email": cells.email("email"),
    }
    _optional(cells, fields, CUSTOMER_OPTIONAL)
    return None if cells.errors else ParsedRow(cells.line, key, fields)


def parse_invoice(cells: Cells) -> ParsedRow | None:
    number = cells.text("number", 100, required=True)
    customer_key = cells.text("customer_id", 100, required=True)
    issue_date, due_date = cells.date("issue_date"), cells.date("due_date")
    if issue_date and due_date and due_date < issue_date:
        cells.fail("due_date", cells.raw("due_date"), f"is before the issue date {issue_date.isoformat()}")
    fields = {
        "number": number,
        "issue_date": issue_date,
        "due_date": due_date,
        "amount": cells.amount("amount"),
        "currency": cells.currency("currency"),
    }
    _optional(cells, fields, INVOICE_OPTIONAL)
    return None if cells.errors else ParsedRow(cells.line, number, fields, parent=customer_key)


def parse_payment(cells: Cells) -> ParsedRow | None:
    number = cells.text("invoice_number", 100, required=True)
    reference = cells.text("reference", 200, required=True)
    fields = {"date": cells.date("date"), "amount": cells.amount("amount"), "reference": reference}
    return None if cells.errors else ParsedRow(cells.line, (number, reference), fields, parent=number)


@dataclass(frozen=True)
class Kind:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    parse: Callable[[Cells], ParsedRow | None]
    key_columns: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


KINDS = {
    "customers": Kind(
        "customers",
        ("customer_id", "name", "email"),
        tuple(CUSTOMER_OPTIONAL),
        parse_customer,
        ("customer_id",),
    ),
    "invoices": Kind(
        "invoices",
        ("number", "customer_id", "issue_date", "due_date", "amount", "currency"),
        tuple(INVOICE_OPTIONAL),
        parse_invoice,
        ("number",),
    ),
    "payments": Kind(
        "payments",
        ("invoice_number", "date", "amount", "reference"),
        (),
        parse_payment,
        ("invoice_number", "reference"),
    ),
}


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise InvalidInput(f"unknown import kind {name!r}: choose one of {', '.join(KINDS)}") from None


@dataclass
class Header:
    columns: list[str]  # normalised, in file order ("" for a blank header cell)
    errors: list[RowError]
    warnings: list[str]


def check_header(kind: Kind, raw: list[Any]) -> Header:
    columns = [normalise_column(name) for name in raw]
    while columns and not columns[-1]:
        columns.pop()
    errors = [
        RowError(1, column, column, "appears twice in the header")
        for i, column in enumerate(columns)
        if column and column in columns[:i]
    ]
    errors += [
        RowError(1, column, "", "required column is missing from the header")
        for column in kind.required
        if column not in columns
    ]
    unknown = [column for column in columns if column and column not in kind.columns]
    warnings = [f"unknown columns ignored: {', '.join(unknown)}"] if unknown else []
    return Header(columns, errors, warnings)


def parse_rows(
    kind: Kind, header: Header, records: Iterable[tuple[int, Sequence[str] | Mapping[str, Any]]]
) -> tuple[list[ParsedRow], list[RowError]]:
    """Every row checked on its own; blank rows are skipped. A mapping is a row given by column name."""
    width = len(header.columns)
    columns = frozenset(column for column in header.columns if column)
    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    for line, record in records:
        if isinstance(record, Mapping):
            values: Mapping[str, Any] = {normalise_column(k): v for k, v in record.items()}
        else:
            extra = [cell for cell in record[width:] if cell.strip()]
            if extra:
                errors.append(RowError(line, "", "; ".join(extra), _too_many_cells(len(record), width)))
                continue
            values = dict(zip(header.columns, record, strict=False))
        if not any(cell_text(value).strip() for value in values.values()):
            continue
        cells = Cells(line, values, columns)
        row = kind.parse(cells)
        errors += cells.errors
        if row is not None:
            parsed.append(row)
    return parsed, errors


def _too_many_cells(found: int, width: int) -> str:
    return (
        f"the row has {found} values but the header has {width} columns: a value that holds the separator "
        "must be in double quotes (a decimal comma in a ','-separated file, tags in a ';'-separated one)"
    )
