"""Filters for the web pages: money and percentages in the reader's language."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal, format_percent
from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, to_locale

register = template.Library()


def _locale() -> str:
    return to_locale(get_language() or "en")


@register.filter
def money(amount: object, currency: str = "EUR") -> str:
    """1234.5|money:"EUR" → "€1,234.50" in English, "1 234,50 €" in French."""
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return format_currency(value, currency or "EUR", locale=_locale())


@register.filter
def percent(ratio: object, digits: int = 1) -> str:
    """0.205|percent → "20.5%" ("20,5 %" in French); None → "—"."""
    if ratio is None or ratio == "":
        return "—"
    fmt = "#,##0." + "0" * int(digits) + "%" if int(digits) > 0 else "#,##0%"
    return format_percent(Decimal(str(ratio)), format=fmt, locale=_locale())


@register.filter
def number(value: object, digits: int = 0) -> str:
    if value is None or value == "":
        return "—"
    fmt = "#,##0." + "0" * int(digits) if int(digits) > 0 else "#,##0"
    return format_decimal(Decimal(str(value)), format=fmt, locale=_locale())


@register.simple_tag(takes_context=True)
def active(context: template.Context, *prefixes: str) -> SafeString:
    """'aria-current="page"' when the request path starts with one of the prefixes (navigation)."""
    request = context.get("request")
    path = getattr(request, "path", "")
    for prefix in prefixes:
        if (prefix == "/" and path == "/") or (prefix != "/" and path.startswith(prefix)):
            return mark_safe('aria-current="page"')
    return mark_safe("")
