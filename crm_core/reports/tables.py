"""What a report hands to a page: a chart (labels and series of numbers) and
the table under it (typed cells, not text), so the web page, the CSV and a
test read one structure and format it for the reader's locale once.

A cell is a plain value whose column says what it is (``CellKind``): ``int``
counts, ``float`` ratios 0-1 or days, ``date``, ``Money`` (a ``Decimal`` with
its currency), ``str``, or ``None`` (nothing to show). A ``Linked`` value is
shown as a link into a filtered list or a record."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class CellKind(enum.StrEnum):
    TEXT = "text"
    COUNT = "count"
    RATIO = "ratio"  # 0.0-1.0, shown as a percentage
    MONEY = "money"
    DAYS = "days"
    DATE = "date"
    MONTH = "month"  # a date standing for its month
    WEEK = "week"  # a date standing for its ISO week


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Linked:
    """A value shown as a link: ``target`` names a place the web layer knows how
    to build (``("prospects", {"status": "3"})``, ``("prospect", {"id": "7"})``)."""

    value: Any
    target: tuple[str, dict[str, str]]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: CellKind = CellKind.TEXT

    @property
    def numeric(self) -> bool:
        return self.kind in (CellKind.COUNT, CellKind.RATIO, CellKind.MONEY, CellKind.DAYS)


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    # Shown under the table: what the figures mean, and where they stop.
    note: str = ""
    more: str | None = None  # the next page's cursor, when a table is paged
    paged: bool = False


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | int]
    color: str | None = None
    stack: str | None = None
    # "bar" (default) or "line": a chart may mix them (counts as bars, a rate as a line).
    kind: str = "bar"
    axis: str = "y"


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" or "line"
    labels: Sequence[Any]  # typed like a column: dates for weeks / months, text otherwise
    label_kind: CellKind
    series: Sequence[Series]
    stacked: bool = False
    # A second axis 0-100 % for a rate drawn as a line over counts.
    percent_axis: bool = False
    title: str = ""


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    summary: str
    chart: Chart
    tables: Sequence[Table]
    notes: Sequence[str] = field(default_factory=tuple)

    def table(self, key: str | None) -> Table:
        for table in self.tables:
            if key in (None, "", table.key):
                return table
        raise KeyError(key)


PALETTE = (
    "#2563eb",
    "#d97706",
    "#16a34a",
    "#7c3aed",
    "#dc2626",
    "#0891b2",
    "#db2777",
    "#65a30d",
    "#6b7280",
    "#ca8a04",
)


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]
