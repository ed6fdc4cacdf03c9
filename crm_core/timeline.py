"""One timeline per record, newest first: field and status changes (the
prospect's history), the capture by a web form, activities, tasks created and
completed, notes — and, as they arrive, conversions and imports.

Read a page at a time without copying anything into a feed table: each source
gives at most one page of (time, kind, id) from its own index on
(parent, created_at), a UNION ALL merges them, and only the page's records are
loaded. A keyset cursor (time, kind rank, id) makes page 100 cost what page 1
costs, so a prospect with thousands of entries stays fast."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, literal, or_, select, union_all
from sqlalchemy.orm import Session

from crm_core.activities.models import Activity
from crm_core.db import UTCDateTime
from crm_core.notes.models import Note
from crm_core.parents import Parent, ParentType
from crm_core.prospects.models import Prospect, ProspectChange
from crm_core.tasks.models import Task

PAGE_SIZE = 30

# kind -> rank: the order of entries that share a timestamp (higher first).
RANKS = {"captured": 0, "change": 1, "task": 2, "activity": 3, "task_done": 4, "note": 5}
FILTERS: dict[str, tuple[str, ...]] = {
    "all": tuple(RANKS),
    "notes": ("note",),
    "work": ("activity", "task", "task_done"),
    "changes": ("captured", "change"),
}
FILTER_LABELS = {"all": "All", "notes": "Notes", "work": "Activities & tasks", "changes": "Changes"}


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    at: datetime
    record: Any  # ProspectChange | Note | Activity | Task | Prospect


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    next_cursor: str | None


@dataclass(frozen=True)
class _Cursor:
    at: datetime
    rank: int
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.at.isoformat(), self.rank, self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str | None) -> _Cursor | None:
        if not token:
            return None
        try:
            at, rank, row_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            moment = datetime.fromisoformat(at)
        except (ValueError, TypeError, binascii.Error):
            return None
        if moment.tzinfo is None or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in (rank, row_id)
        ):
            return None
        return cls(moment, rank, row_id)


def _before(at: Any, row_id: Any, rank: int, cursor: _Cursor | None) -> list[ColumnElement[bool]]:
    """Rows of a source of ``rank`` that come after ``cursor`` in newest-first order."""
    if cursor is None:
        return []
    bound = literal(cursor.at, UTCDateTime)
    if rank < cursor.rank:
        return [at <= bound]
    if rank > cursor.rank:
        return [at < bound]
    return [or_(at < bound, and_(at == bound, row_id < cursor.id))]


def _sources(parent: Parent, kinds: Sequence[str], cursor: _Cursor | None, limit: int) -> list[Select[Any]]:
    sources: list[tuple[str, Any, Any, list[ColumnElement[bool]]]] = []

    def on(model: Any) -> list[ColumnElement[bool]]:
        return [model.parent_type == parent.type, model.parent_id == parent.id]

    if parent.type == ParentType.PROSPECT:
        sources.append(
            (
                "change",
                ProspectChange.created_at,
                ProspectChange.id,
                [ProspectChange.prospect_id == parent.id],
            )
        )
        sources.append(
            (
                "captured",
                Prospect.created_at,
                Prospect.id,
                [Prospect.id == parent.id, Prospect.submission_id.is_not(None)],
            )
        )
    sources += [
        ("note", Note.created_at, Note.id, on(Note)),
        ("activity", Activity.created_at, Activity.id, on(Activity)),
        ("task", Task.created_at, Task.id, on(Task)),
        ("task_done", Task.completed_at, Task.id, [*on(Task), Task.completed_at.is_not(None)]),
    ]
    selects = []
    for kind, at, row_id, where in sources:
        if kind not in kinds:
            continue
        rank = RANKS[kind]
        stmt = (
            select(
                literal(kind).label("kind"), literal(rank).label("rank"), at.label("at"), row_id.label("id")
            )
            .where(*where, *_before(at, row_id, rank, cursor))
            .order_by(at.desc(), row_id.desc())
            .limit(limit)
        )
        selects.append(select(stmt.subquery()))  # a member of a compound SELECT may not carry LIMIT on SQLite
    return selects


def timeline_page(
    session: Session,
    parent: Parent,
    *,
    filter_key: str = "all",
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> TimelinePage:
    kinds = FILTERS.get(filter_key, FILTERS["all"])
    cursor = _Cursor.decode(after)
    selects = _sources(parent, kinds, cursor, limit + 1)
    if not selects:
        return TimelinePage([], None)
    merged = union_all(*selects).subquery()
    rows = session.execute(
        select(merged.c.kind, merged.c.rank, merged.c.at, merged.c.id)
        .order_by(merged.c.at.desc(), merged.c.rank.desc(), merged.c.id.desc())
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    records = _load(session, rows)
    entries = [
        TimelineEntry(row.kind, _aware(row.at), records[(row.kind, row.id)])
        for row in rows
        if (row.kind, row.id) in records
    ]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = _Cursor(_aware(last.at), last.rank, last.id).encode()
    return TimelinePage(entries, next_cursor)


def _aware(value: Any) -> datetime:
    """A union's column comes back untyped on SQLite (a string)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return UTCDateTime().process_result_value(value, None)  # type: ignore[return-value]


def _load(session: Session, rows: Sequence[Any]) -> dict[tuple[str, int], Any]:
    ids: dict[str, list[int]] = {}
    for row in rows:
        ids.setdefault(row.kind, []).append(row.id)
    models = {"change": ProspectChange, "captured": Prospect, "note": Note, "activity": Activity}
    found: dict[tuple[str, int], Any] = {}
    for kind, model in models.items():
        if kind in ids:
            for record in session.scalars(select(model).where(model.id.in_(ids[kind]))):
                found[(kind, record.id)] = record
    task_ids = sorted(set(ids.get("task", []) + ids.get("task_done", [])))
    if task_ids:
        tasks = {task.id: task for task in session.scalars(select(Task).where(Task.id.in_(task_ids)))}
        for kind in ("task", "task_done"):
            for task_id in ids.get(kind, []):
                if task_id in tasks:
                    found[(kind, task_id)] = tasks[task_id]
    return found
