"""How amounts read in the admin and on a printed offer: money in its
currency (Babel, rounded to the currency's minor unit), and quantities and
prices as plain numbers for input boxes — ``Decimal`` all the way, never a
float in between — and what people type for a number ("12,5") read as one."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency

from crm_core.offers.money import minor_digits

# The admin is in English: "1,234.50 RON". The ISO code, never a symbol, so
# an offer in USD, CAD and AUD side by side is never ambiguous.
LOCALE = "en"
NUMBER_FIELDS = ("quantity", "unit_price", "discount_pct")


def money_text(amount: Decimal | None, currency: str) -> str:
    """An amount with its currency's decimals (2 for RON, 0 for JPY) — and
    more when it has them, so a unit price of 0.1234 is not shown as 0.12."""
    if amount is None:
        return ""
    places = max(minor_digits(currency), _decimals(amount))
    pattern = "#,##0" + (f".{'0' * places}" if places else "") + "\xa0¤¤"
    return format_currency(amount, currency, format=pattern, locale=LOCALE, currency_digits=False)


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def plain_number(value: Decimal | None, places: int = 0) -> str:
    """``Decimal("1999.9900")`` → "1999.99" (at least ``places`` decimals),
    ``Decimal("3.000")`` → "3": what an input box shows and posts back."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    if len(fraction) < places:
        fraction = fraction.ljust(places, "0")
    return f"{whole}.{fraction}" if fraction else whole


def price_text(value: Decimal | None, currency: str) -> str:
    """A unit price with the currency's decimals, and more only when it has them."""
    return plain_number(value, minor_digits(currency))


def typed_number(text: str) -> str:
    """A decimal comma ("12,5", as typed in Romania, Lithuania and France) read
    as a point; spaces between thousands dropped. Anything else is left for the
    schema to refuse with its message."""
    cleaned = "".join(text.split())
    if "," in cleaned and "." not in cleaned and cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    return cleaned


def line_input(form: dict[str, str]) -> dict[str, str]:
    """An offer line's posted fields: numbers as typed → as parsed; an empty
    number is left out (the domain's default, or the catalogue's price, applies)."""
    data = dict(form)
    for name in NUMBER_FIELDS:
        if name in data:
            value = typed_number(data[name])
            if value:
                data[name] = value
            else:
                del data[name]
    return data
