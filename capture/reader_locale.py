"""Numbers, dates and money in the reader's locale — the first language of the
browser's ``Accept-Language`` that Babel knows ("ro-RO" reads 12.345,5 and
"5 ian. 2026"; "en-US" reads 12,345.5 and "Jan 5, 2026") — for the board,
the reports, their CSV files and the home page. The pages' words stay English;
only how figures are written follows the reader.

Registered as Jinja filters (``|reader_number``, ``|reader_day`` …) and used
by the CSV writer, so a report's table and its CSV read the same."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, format_percent, get_decimal_symbol
from babel.units import format_unit
from flask import Flask, g, has_request_context, request

from crm_core.offers.money import money as format_money
from crm_core.reports.tables import CellKind, Column, Linked, Money

DEFAULT = Locale("en")


def reader_locale() -> Locale:
    if not has_request_context():
        return DEFAULT
    if "reader_locale" not in g:
        g.reader_locale = _negotiate([tag for tag, _quality in request.accept_languages])
    return g.reader_locale


def _negotiate(tags: list[str]) -> Locale:
    for tag in tags:
        if tag == "*":
            continue
        try:
            return Locale.parse(tag, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return DEFAULT


def bcp47(locale: Locale | None = None) -> str:
    """ "ro-RO": the tag Chart.js (``Intl``) formats its axes with."""
    locale = locale or reader_locale()
    return "-".join(part for part in (locale.language, locale.territory) if part)


def csv_delimiter(locale: Locale | None = None) -> str:
    """``;`` where the decimal mark is a comma (what Excel there expects), else ``,``."""
    return ";" if get_decimal_symbol(locale or reader_locale()) == "," else ","


def number(value: int | float | Decimal | None) -> str:
    return "" if value is None else format_decimal(value, locale=reader_locale())


def percent(value: float | None) -> str:
    return "" if value is None else format_percent(value, "#,##0.0%", locale=reader_locale())


def days(value: float | None) -> str:
    if value is None:
        return ""
    return format_unit(
        round(value, 1), "duration-day", length="short", format="#,##0.0", locale=reader_locale()
    )


def whole_days(value: int | None) -> str:
    """An age: "3 days", "3 zile"."""
    if value is None:
        return ""
    return format_unit(value, "duration-day", length="short", locale=reader_locale())


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return format_date(value, "medium", locale=reader_locale())


def month(value: date | None) -> str:
    return "" if value is None else format_skeleton("yMMM", value, locale=reader_locale())


def iso_week(value: date | None) -> str:
    """ "2026-W05": ISO 8601, read the same everywhere."""
    if value is None:
        return ""
    year, week, _ = value.isocalendar()
    return f"{year}-W{week:02d}"


def money(value: Money | None) -> str:
    return "" if value is None else format_money(value.amount, value.currency, str(reader_locale()))


def money_of(amount: Decimal | None, currency: str) -> str:
    return "" if amount is None else format_money(amount, currency, str(reader_locale()))


def cell_text(column: Column, value: Any) -> str:
    """One table cell as the reader sees it — on the page and in the CSV alike."""
    if isinstance(value, Linked):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    kind = column.kind
    if kind == CellKind.COUNT:
        return number(value)
    if kind == CellKind.RATIO:
        return percent(value)
    if kind == CellKind.DAYS:
        return days(value)
    if kind == CellKind.MONEY:
        return money(value)
    if kind == CellKind.DATE:
        return day(value)
    if kind == CellKind.MONTH:
        return month(value)
    if kind == CellKind.WEEK:
        return iso_week(value)
    return str(value)


def label_text(kind: CellKind, value: Any) -> str:
    """A chart's category label."""
    return cell_text(Column("", "", kind), value)


def init_app(app: Flask) -> None:
    for name, function in {
        "number": number,
        "percent": percent,
        "days": days,
        "whole_days": whole_days,
        "day": day,
        "month": month,
        "iso_week": iso_week,
        "money": money,
        "money_of": money_of,
    }.items():
        app.add_template_filter(function, f"reader_{name}")
    app.add_template_global(cell_text, "cell_text")
    app.add_template_global(bcp47, "reader_bcp47")
