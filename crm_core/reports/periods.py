"""Report periods in the instance's time zone: a date range of local days,
cut into ISO weeks (Monday first; week 1 holds the year's first Thursday, so
29 Dec 2025 is in 2026-W01 and 2026 has a week 53) or calendar months.

A period starts at local midnight, which is a different UTC moment in winter
and summer; the database is asked to place each row in a period by those UTC
moments (``period_index``), so it never converts a time zone row by row and
the answer is the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, case, func, literal
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import DateTime

from crm_core.clock import local_midnight
from crm_core.db import UTCDateTime

MAX_DAYS = 3 * 366  # a report over more than three years is refused in plain words


class Grain(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Period:
    start: date  # first local day
    end: date  # first local day after it
    grain: Grain

    @property
    def key(self) -> str:
        """ "2026-W05" or "2026-02": ISO 8601, the same in every language (CSV, chart data)."""
        if self.grain == Grain.WEEK:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"


@dataclass(frozen=True)
class DateRange:
    """Local days ``start`` to ``end``, both included."""

    start: date
    end: date
    zone: ZoneInfo

    @property
    def utc_start(self) -> datetime:
        return local_midnight(self.start, self.zone)

    @property
    def utc_end(self) -> datetime:
        """The first moment after the range (exclusive)."""
        return local_midnight(self.end + timedelta(days=1), self.zone)

    def periods(self, grain: Grain) -> list[Period]:
        """The weeks or months that overlap the range, each clipped to it."""
        first = week_start(self.start) if grain == Grain.WEEK else self.start.replace(day=1)
        found = []
        cursor = first
        last = self.end + timedelta(days=1)
        while cursor < last:
            following = cursor + timedelta(days=7) if grain == Grain.WEEK else _next_month(cursor)
            found.append(Period(max(cursor, self.start), min(following, last), grain))
            cursor = following
        return found

    def boundaries(self, grain: Grain) -> list[datetime]:
        """The UTC moment each period starts."""
        return [local_midnight(p.start, self.zone) for p in self.periods(grain)]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def default_range(today: date, zone: ZoneInfo) -> DateRange:
    """The last twelve months: from the first of the month eleven months ago to today."""
    month = today.month - 11
    year = today.year + (month - 1) // 12
    return DateRange(date(year, (month - 1) % 12 + 1, 1), today, zone)


def period_index(
    column: ColumnElement[datetime], boundaries: Sequence[datetime], dialect: str
) -> ColumnElement[int]:
    """1-based number of the period ``column`` falls in, for rows already
    restricted to [first boundary, end of range). PostgreSQL: ``width_bucket``
    over the sorted boundaries (a binary search per row); SQLite: a ``CASE``."""
    if dialect == "postgresql":
        thresholds = literal(list(boundaries), postgresql.ARRAY(DateTime(timezone=True)))
        return func.width_bucket(column, thresholds, type_=Integer)
    if len(boundaries) == 1:
        return literal(1, Integer)
    return case(
        *[(column < literal(moment, UTCDateTime()), index) for index, moment in enumerate(boundaries[1:], 1)],
        else_=len(boundaries),
    )
