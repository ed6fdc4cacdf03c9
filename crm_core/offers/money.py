"""Money in offers: ``Decimal`` only (a float cannot hold 0.10), rounded half
up to the currency's minor unit (2 decimals for RON and EUR, 0 for JPY, 3 for
KWD — Babel's ISO 4217 data), and shown in the reader's locale."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

HUNDRED = Decimal(100)


@cache
def _known() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    return code in _known()


def minor_digits(currency: str) -> int:
    return get_currency_precision(currency)


def round_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-minor_digits(currency)), rounding=ROUND_HALF_UP)


def line_total(quantity: Decimal, unit_price: Decimal, discount_pct: Decimal, currency: str) -> Decimal:
    """quantity times unit price, less the discount, rounded once per line."""
    return round_money(quantity * unit_price * (HUNDRED - discount_pct) / HUNDRED, currency)


def money(amount: Decimal | None, currency: str, locale: str = "en") -> str:
    """``1.234,50 RON`` in Romanian, ``RON 1,234.50`` in English."""
    if amount is None:
        return ""
    try:
        return format_currency(amount, currency, locale=locale)
    except (ValueError, InvalidOperation):
        return f"{amount} {currency}"
