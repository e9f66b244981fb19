"""Amounts as users type them: read into Decimal exactly, or refused with the text quoted, never guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.engine.errors import InvalidInput
from relance.engine.money import format_plain, parse_amount


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1234.56", Decimal("1234.56")),
        ("1234,56", Decimal("1234.56")),
        ("1 234,56", Decimal("1234.56")),
        ("1\u00a0234,56", Decimal("1234.56")),
        ("1\u202f234,56", Decimal("1234.56")),
        ("1'234.56", Decimal("1234.56")),
        ("-12.5", Decimal("-12.50")),
        ("100", Decimal("100.00")),
        ("+100", Decimal("100.00")),
        ("  49,9 ", Decimal("49.90")),
        ("0", Decimal("0.00")),
    ],
)
def test_amount_in_a_usual_notation_is_read_exactly(text: str, amount: Decimal) -> None:
    parsed = parse_amount(text)

    assert parsed == amount
    assert parsed.as_tuple().exponent == -2


@pytest.mark.parametrize("text", ["1,234", "1.234", "12.345", "-1,000"])
def test_three_decimals_are_refused_as_ambiguous(text: str) -> None:
    # 1,234 is one thousand two hundred and thirty-four in English, one point two three four in French.
    with pytest.raises(InvalidInput, match="ambiguous") as caught:
        parse_amount(text)

    assert repr(text) in str(caught.value)


@pytest.mark.parametrize(
    "text",
    ["1.234,56", "1,234.56", "abc", "", "   ", "12.", ".5", "1e5", "--1", "+-5", "12 €", "EUR 12", "1/2"],
)
def test_amount_that_is_not_a_plain_number_is_refused_with_the_text_quoted(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_amount(text)

    assert repr(text.strip()) in str(caught.value)


def test_amount_too_large_for_decimal_is_refused_not_crashed() -> None:
    text = "9" * 30

    with pytest.raises(InvalidInput, match="too large") as caught:
        parse_amount(text)

    assert text in str(caught.value)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1234.5"), "1234.50"),
        (Decimal("0"), "0.00"),
        (Decimal("-12.5"), "-12.50"),
        (Decimal("1E+3"), "1000.00"),
        (Decimal("10.005"), "10.00"),
    ],
)
def test_format_plain_writes_two_decimals_without_grouping(amount: Decimal, text: str) -> None:
    assert format_plain(amount) == text


two_place_decimals = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@settings(max_examples=150, deadline=None)
@given(two_place_decimals)
def test_formatted_amount_reads_back_to_the_same_amount(amount: Decimal) -> None:
    assert format_plain(parse_amount(format_plain(amount))) == format_plain(amount)
    assert parse_amount(format_plain(amount)) == amount


@settings(max_examples=150, deadline=None)
@given(two_place_decimals)
def test_french_notation_with_grouped_thousands_reads_back_to_the_same_amount(amount: Decimal) -> None:
    units, cents = format_plain(abs(amount)).split(".")
    grouped = f"{int(units):,}".replace(",", "\u202f")
    french = f"{'-' if amount < 0 else ''}{grouped},{cents}"

    assert parse_amount(french) == amount
