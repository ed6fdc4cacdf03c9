"""Counting prospects fast: from the running tallies where they can answer,
from the prospects themselves where they cannot.

A tally row counts prospects created on one UTC day. A report's periods start
at local midnight, which falls inside a UTC day unless the zone is UTC: the
days a period boundary cuts are counted from ``prospects`` (an index-only
range scan of ``ix_prospects_created_dims``, a day at a time), every other day
from the tallies — the same answer as counting every prospect, in any zone.

Which source answers (``plan``):

- ``prospect_source_tallies`` when the figure is cut by status, source, form
  or converted, and the filters are among status, source and form, for a
  viewer who sees every prospect;
- ``prospect_owner_tallies`` when the figure is cut by owner, status or
  converted, and the filters are among owner and status (sales: their own);
- the prospects table otherwise (a priority filter, say, or owner and source
  together — the owner's index keeps those narrow).

``compact`` merges the rows the triggers appended; readers call
``compact_if_needed`` first, so the tallies stay a few rows per day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crm_core.db import UTCDateTime
from crm_core.prospects.filters import OWNER_ME, OWNER_NONE, ProspectFilter
from crm_core.prospects.models import Prospect
from crm_core.prospects.visibility import is_restricted
from crm_core.reports.models import OwnerTally, SourceTally
from crm_core.reports.periods import period_index
from crm_core.users.models import User

COMPACT_AFTER = 2_000  # fresh rows in a tally table before a reader merges them

# Which dimension each source can cut or filter by.
SOURCE_DIMS = frozenset({"status", "source", "form", "converted"})
OWNER_DIMS = frozenset({"owner", "status", "converted"})
FILTERS = ("owner", "status", "priority", "source", "form")

_PROSPECT_COLUMNS: dict[str, Any] = {
    "status": Prospect.status_id,
    "source": Prospect.source_id,
    "form": Prospect.form_id,
    "owner": Prospect.owner_id,
    "priority": Prospect.priority_id,
    "converted": Prospect.converted_at.is_not(None),
}


@dataclass(frozen=True)
class Filters:
    """The dimension filters of a count: ``{"status": (1, 2), "owner": (7, None)}``
    (``None`` in owner: nobody's), with the role rule already applied."""

    values: dict[str, tuple[Any, ...]]

    @classmethod
    def of(cls, flt: ProspectFilter, viewer: User) -> Filters:
        found: dict[str, tuple[Any, ...]] = {}
        if flt.owner:
            found["owner"] = tuple(
                sorted(
                    {viewer.id if t == OWNER_ME else None if t == OWNER_NONE else int(t) for t in flt.owner},
                    key=lambda v: (v is None, v or 0),
                )
            )
        for name in ("status", "priority", "source", "form"):
            if getattr(flt, name):
                found[name] = tuple(getattr(flt, name))
        if is_restricted(viewer):
            mine = (viewer.id,)
            found["owner"] = tuple(o for o in found.get("owner", mine) if o == viewer.id) or (-1,)
        return cls(found)

    def used(self) -> frozenset[str]:
        return frozenset(self.values)


def plan(dims: Iterable[str], filters: Filters) -> type[SourceTally] | type[OwnerTally] | None:
    wanted = frozenset(dims) | filters.used()
    if wanted <= SOURCE_DIMS:
        return SourceTally
    if wanted <= OWNER_DIMS:
        return OwnerTally
    return None


def _tally_column(model: Any, dim: str) -> Any:
    return getattr(model, "converted" if dim == "converted" else f"{dim}_id")


def _condition(col: Any, wanted: tuple[Any, ...]) -> ColumnElement[bool]:
    ids = [v for v in wanted if v is not None]
    options: list[ColumnElement[bool]] = [col.in_(ids)] if ids else []
    if None in wanted:
        options.append(col.is_(None))
    return or_(*options)


def _prospect_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    return [_condition(_PROSPECT_COLUMNS[name], wanted) for name, wanted in filters.values.items()]


def _tally_conditions(model: Any, filters: Filters) -> list[ColumnElement[bool]]:
    return [_condition(_tally_column(model, name), wanted) for name, wanted in filters.values.items()]


# --- whole history (the board, the home page) --------------------------------------


def counts_by(session: Session, dims: Sequence[str], filters: Filters) -> dict[tuple[Any, ...], int]:
    """{(dim values…): prospects} over every prospect ever created."""
    model = plan(dims, filters)
    if model is None:
        cols = [_PROSPECT_COLUMNS[d].label(d) for d in dims]
        stmt = select(*cols, func.count()).where(*_prospect_conditions(filters)).group_by(*cols)
    else:
        compact_if_needed(session, model)
        cols = [_tally_column(model, d).label(d) for d in dims]
        stmt = select(*cols, func.sum(model.n)).where(*_tally_conditions(model, filters)).group_by(*cols)
    return {tuple(row[:-1]): int(row[-1]) for row in session.execute(stmt) if row[-1]}


# --- periods (the reports) ------------------------------------------------------------


def _utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _is_midnight(moment: datetime) -> bool:
    return moment.astimezone(UTC).timetz().replace(tzinfo=None) == time.min


def counts_by_period(
    session: Session,
    boundaries: Sequence[datetime],
    end: datetime,
    dims: Sequence[str],
    filters: Filters,
) -> dict[tuple[Any, ...], int]:
    """{(period number from 0, dim values…): prospects created in it} for the
    periods starting at ``boundaries`` (UTC moments, ascending) and ending at ``end``."""
    model = plan(dims, filters)
    dialect = session.get_bind().dialect.name
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    if model is None:
        _add_from_prospects(session, counts, [(boundaries[0], end)], boundaries, dims, filters, dialect)
        return dict(counts)
    compact_if_needed(session, model)
    points = [*boundaries, end]
    cut_days = sorted({_utc_day(p) for p in points if not _is_midnight(p)})
    first_full = _utc_day(boundaries[0]) + timedelta(days=0 if _is_midnight(boundaries[0]) else 1)
    last_full = _utc_day(end)  # exclusive
    if first_full < last_full:
        # A whole day lies in the period whose first whole day is on or before it.
        day_starts = [_utc_day(b) + timedelta(days=0 if _is_midnight(b) else 1) for b in boundaries]
        index = _day_period_index(model.day, day_starts, dialect).label("period")
        cols = [_tally_column(model, d).label(d) for d in dims]
        stmt = (
            select(index, *cols, func.sum(model.n))
            .where(
                model.day >= first_full,
                model.day < last_full,
                *([model.day.not_in(cut_days)] if cut_days else []),
                *_tally_conditions(model, filters),
            )
            .group_by(index, *cols)
        )
        for row in session.execute(stmt):
            counts[(int(row[0]) - 1, *row[1:-1])] += int(row[-1])
    pieces = [
        (max(_midnight(day), boundaries[0]), min(_midnight(day + timedelta(days=1)), end)) for day in cut_days
    ]
    pieces = [(low, high) for low, high in pieces if low < high]
    if pieces:
        _add_from_prospects(session, counts, pieces, boundaries, dims, filters, dialect)
    return {key: n for key, n in counts.items() if n}


def _day_period_index(day_column: Any, day_starts: Sequence[date], dialect: str) -> ColumnElement[int]:
    if dialect == "postgresql":
        return func.width_bucket(
            day_column, literal(list(day_starts), postgresql.ARRAY(Date())), type_=Integer
        )
    if len(day_starts) == 1:
        return literal(1, Integer)
    return case(
        *[(day_column < literal(d, Date()), i) for i, d in enumerate(day_starts[1:], 1)],
        else_=len(day_starts),
    )


def _add_from_prospects(
    session: Session,
    counts: dict[tuple[Any, ...], int],
    pieces: Sequence[tuple[datetime, datetime]],
    boundaries: Sequence[datetime],
    dims: Sequence[str],
    filters: Filters,
    dialect: str,
) -> None:
    """Count from the prospects table, over the given [low, high) time ranges."""
    # A small table of the ranges (a UNION of one-row selects: SQLite has no
    # named VALUES list), joined to the index on created_at: one range scan each.
    ranges = union_all(
        *[
            select(literal(low, UTCDateTime()).label("low"), literal(high, UTCDateTime()).label("high"))
            for low, high in pieces
        ]
    ).subquery("ranges")
    index = period_index(Prospect.created_at, boundaries, dialect).label("period")
    inner = (
        select(index, *[_PROSPECT_COLUMNS[d].label(d) for d in dims])
        .select_from(ranges)
        .join(Prospect, and_(Prospect.created_at >= ranges.c.low, Prospect.created_at < ranges.c.high))
        .where(*_prospect_conditions(filters))
        .subquery()
    )
    keys = [inner.c.period, *[inner.c[d] for d in dims]]
    for row in session.execute(select(*keys, func.count()).group_by(*keys)):
        counts[(int(row[0]) - 1, *row[1:-1])] += int(row[-1])


# --- keeping the tallies small ----------------------------------------------------------


def fresh_rows(
    session: Session, model: type[SourceTally] | type[OwnerTally], cap: int = COMPACT_AFTER
) -> int:
    limited = select(model.id).where(not_(model.compacted)).limit(cap + 1).subquery()
    return session.scalar(select(func.count()).select_from(limited)) or 0


def compact(session: Session, model: type[SourceTally] | type[OwnerTally]) -> int:
    """Merge each day's rows that the triggers appended into one row per key;
    returns how many rows were merged away. Safe beside another compaction:
    each row is deleted (and its count re-added) by exactly one of them."""
    days = list(session.scalars(select(model.day).where(not_(model.compacted)).distinct()))
    if not days:
        return 0
    keys = [c.key for c in model.__table__.columns if c.key not in ("id", "n", "compacted")]
    removed = 0
    merged: dict[tuple[Any, ...], int] = defaultdict(int)
    for start in range(0, len(days), 500):
        chunk = days[start : start + 500]
        stmt = (
            delete(model).where(model.day.in_(chunk)).returning(*[getattr(model, k) for k in keys], model.n)
        )
        for row in session.execute(stmt):
            merged[tuple(row[:-1])] += row[-1]
            removed += 1
    rows = [
        {**dict(zip(keys, key, strict=True)), "n": n, "compacted": True} for key, n in merged.items() if n
    ]
    if rows:
        session.execute(insert(model), rows)
    return removed - len(rows)


def compact_if_needed(session: Session, model: type[SourceTally] | type[OwnerTally]) -> None:
    """Merge when the triggers have appended many rows — in a transaction of its
    own, committed, since the reader's may be a read that is never committed.
    The reader's answer is the same either way (it sums)."""
    if fresh_rows(session, model) <= COMPACT_AFTER:
        return
    bind = session.get_bind()
    if not isinstance(bind, Engine):  # a caller's own connection: merge in its transaction
        compact(session, model)
        return
    with Session(bind) as own, own.begin():
        compact(own, model)


def rebuild(session: Session) -> None:
    """Count every prospect afresh (after a bulk load that bypassed the triggers,
    or to check them): both tables are emptied and refilled in this transaction."""
    day = (
        func.date(Prospect.created_at)
        if session.get_bind().dialect.name == "sqlite"
        else func.date(func.timezone("UTC", Prospect.created_at))
    )
    converted = Prospect.converted_at.is_not(None)
    for model, dims in (
        (SourceTally, (Prospect.status_id, Prospect.source_id, Prospect.form_id)),
        (OwnerTally, (Prospect.owner_id, Prospect.status_id)),
    ):
        session.execute(delete(model))
        names = ["day", *[f"{d.key}" for d in dims], "converted", "n", "compacted"]
        source = select(day, *dims, converted, func.count(), literal(True)).group_by(day, *dims, converted)
        session.execute(insert(model).from_select(names, source))
