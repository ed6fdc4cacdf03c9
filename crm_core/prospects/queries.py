"""The query layer behind the prospects list and its JSON twin: filters,
sort, keyset pages, totals, and duplicates of one prospect. What a viewer may
see at all comes from ``crm_core.prospects.visibility``."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, text, tuple_
from sqlalchemy.orm import Session

from crm_core.prospects.filters import OWNER_ME, OWNER_NONE, TEXT_FILTERS, ProspectFilter
from crm_core.prospects.models import Prospect
from crm_core.prospects.schemas import TASKS_NONE, TASKS_OPEN, TASKS_OVERDUE
from crm_core.prospects.visibility import visible_clauses
from crm_core.text.search import LIKE_ESCAPE, anywhere_pattern, field_pattern, fold, prefix_range
from crm_core.users.models import User

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Counting a million rows costs more than the page itself; past these sizes
# the list shows "10,000+" (filtered) or PostgreSQL's estimate (unfiltered).
COUNT_CAP = 10_000
ESTIMATE_ABOVE = 100_000

# Nullable lookups sort as 0 ("none" first ascending) the same way on both databases.
SORT_COLUMNS: dict[str, Any] = {
    "created": Prospect.created_at,
    "name": Prospect.name,
    "company": Prospect.company,
    "email": Prospect.email,
    "phone": Prospect.phone,
    "status": func.coalesce(Prospect.status_id, 0),
    "priority": func.coalesce(Prospect.priority_id, 0),
    "owner": func.coalesce(Prospect.owner_id, 0),
    "source": func.coalesce(Prospect.source_id, 0),
}

LIST_COLUMNS = (
    Prospect.id,
    Prospect.name,
    Prospect.company,
    Prospect.status_id,
    Prospect.priority_id,
    Prospect.owner_id,
    Prospect.source_id,
    Prospect.form_id,
    Prospect.email,
    Prospect.phone,
    Prospect.created_at,
    Prospect.open_tasks,
    Prospect.next_task_due,
    Prospect.last_activity_at,
)


def filter_clauses(flt: ProspectFilter, viewer: User, today: date | None = None) -> list[ColumnElement[bool]]:
    """The filter as SQL. ``today`` (in the instance's zone: the caller knows it)
    is what "overdue" is counted from; UTC's today when not given."""
    clauses: list[ColumnElement[bool]] = []
    for term in fold(flt.q).split():
        clauses.append(Prospect.search_text.like(anywhere_pattern(term), escape=LIKE_ESCAPE))
    for name in TEXT_FILTERS:
        term = fold(getattr(flt, name))
        if not term:
            continue
        if name == "email" and not term.startswith("@"):
            # "Starts with": email leads search_text, so this is a b-tree range scan.
            low, high = prefix_range(term)
            clauses.append(and_(Prospect.search_text >= low, Prospect.search_text < high))
        else:
            clauses.append(Prospect.search_text.like(field_pattern(name, term), escape=LIKE_ESCAPE))
    if flt.created_from:
        clauses.append(Prospect.created_at >= _day_start(flt.created_from))
    if flt.created_to:
        clauses.append(Prospect.created_at < _day_start(flt.created_to) + timedelta(days=1))
    if flt.owner:
        ids = {viewer.id if token == OWNER_ME else int(token) for token in flt.owner if token != OWNER_NONE}
        owner_options: list[ColumnElement[bool]] = []
        if ids:
            owner_options.append(Prospect.owner_id.in_(sorted(ids)))
        if OWNER_NONE in flt.owner:
            owner_options.append(Prospect.owner_id.is_(None))
        clauses.append(or_(*owner_options))
    for name, column in (
        ("status", Prospect.status_id),
        ("priority", Prospect.priority_id),
        ("source", Prospect.source_id),
        ("form", Prospect.form_id),
    ):
        values = getattr(flt, name)
        if values:
            clauses.append(column.in_(values))
    # The task summary columns (crm_core.tasks.summary), so no join with the tasks table.
    if flt.tasks == TASKS_OPEN:
        clauses.append(Prospect.open_tasks > 0)
    elif flt.tasks == TASKS_NONE:
        clauses.append(Prospect.open_tasks == 0)
    elif flt.tasks == TASKS_OVERDUE:
        clauses.append(Prospect.next_task_due < (today or datetime.now(UTC).date()))
    if not flt.status:
        # Converted prospects live on as accounts: the list shows them only when
        # the status filter asks for them (the Lithuanian CRM does the same).
        clauses.append(Prospect.converted_at.is_(None))
    return clauses


def _day_start(day: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def matching_clauses(
    flt: ProspectFilter, viewer: User, today: date | None = None
) -> list[ColumnElement[bool]]:
    return visible_clauses(viewer) + filter_clauses(flt, viewer, today)


# --- cursors -------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in one sort order: the sort value and id of a row."""

    sort: str
    value: Any
    id: int

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, datetime) else self.value
        raw = json.dumps([self.sort, value, self.id], ensure_ascii=False, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, sort: str) -> Cursor | None:
        """``None`` for a token that is malformed or from another sort order."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            sort_in, value, row_id = json.loads(raw)
        except (ValueError, TypeError, binascii.Error):
            return None
        if sort_in != sort or not isinstance(row_id, int) or isinstance(row_id, bool):
            return None
        key = sort.lstrip("-")
        try:
            if key == "created":
                value = datetime.fromisoformat(value)
                if value.tzinfo is None:
                    return None
            elif key in ("name", "company", "email", "phone"):
                if not isinstance(value, str):
                    return None
            elif not isinstance(value, int) or isinstance(value, bool):
                return None
        except (TypeError, ValueError):
            return None
        return cls(sort, value, row_id)


def _sort_value(row: Any, key: str) -> Any:
    if key == "created":
        return row.created_at
    if key in ("status", "priority", "owner", "source"):
        return getattr(row, f"{key}_id") or 0
    return getattr(row, key)


# --- pages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProspectPage:
    rows: Sequence[Any]
    next_cursor: str | None
    prev_cursor: str | None


def list_page(
    session: Session,
    viewer: User,
    flt: ProspectFilter,
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int = PAGE_SIZE,
    today: date | None = None,
) -> ProspectPage:
    """One page of rows (``LIST_COLUMNS``) in ``flt.sort`` order, after or
    before a cursor. Keyset pagination: any page costs the same as the first."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    key = flt.sort_key
    column = SORT_COLUMNS[key]
    descending = flt.descending
    cursor = Cursor.decode(after or before or "", flt.sort) if (after or before) else None
    backwards = cursor is not None and not after
    stmt: Select[Any] = select(*LIST_COLUMNS).where(*matching_clauses(flt, viewer, today))
    if cursor is not None:
        position = tuple_(column, Prospect.id)
        bound = tuple_(literal(cursor.value, column.type), literal(cursor.id, Prospect.id.type))
        # Forward in a descending list (or backward in an ascending one) means smaller keys.
        stmt = stmt.where(position < bound if descending != backwards else position > bound)
    reverse_order = descending != backwards
    order = (column.desc(), Prospect.id.desc()) if reverse_order else (column.asc(), Prospect.id.asc())
    rows = list(session.execute(stmt.order_by(*order).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    if not rows:
        return ProspectPage(rows, None, None)
    first = Cursor(flt.sort, _sort_value(rows[0], key), rows[0].id).encode()
    last = Cursor(flt.sort, _sort_value(rows[-1], key), rows[-1].id).encode()
    if backwards:
        return ProspectPage(rows, next_cursor=last, prev_cursor=first if more else None)
    return ProspectPage(rows, next_cursor=last if more else None, prev_cursor=first if cursor else None)


# --- totals -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Total:
    value: int
    kind: Literal["exact", "at_least", "estimate"]

    def label(self) -> str:
        if self.kind == "at_least":
            return f"{self.value:,}+"
        if self.kind == "estimate":
            return f"≈ {self.value:,}"
        return f"{self.value:,}"


def count_matching(
    session: Session, viewer: User, flt: ProspectFilter, cap: int = COUNT_CAP, today: date | None = None
) -> Total:
    clauses = matching_clauses(flt, viewer, today)
    if flt.is_empty and not visible_clauses(viewer):
        # The whole list (converted prospects left out): PostgreSQL's estimate
        # of the table is the honest answer at this size.
        estimate = _estimated_rows(session)
        if estimate is not None and estimate >= ESTIMATE_ABOVE:
            return Total(estimate, "estimate")
        return Total(session.scalar(select(func.count()).select_from(Prospect).where(*clauses)) or 0, "exact")
    capped = select(literal(1)).select_from(Prospect).where(*clauses).limit(cap + 1).subquery()
    found = session.scalar(select(func.count()).select_from(capped)) or 0
    return Total(cap, "at_least") if found > cap else Total(found, "exact")


def _estimated_rows(session: Session) -> int | None:
    """PostgreSQL's planner statistic (kept by autovacuum); no such thing on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    value = session.scalar(text("SELECT reltuples::bigint FROM pg_class WHERE oid = 'prospects'::regclass"))
    return int(value) if value is not None and value >= 0 else None


# --- single prospects ---------------------------------------------------------------------


def find_duplicates(session: Session, viewer: User, prospect: Prospect, limit: int = 10) -> list[Prospect]:
    """Other prospects ``viewer`` can see with the same email or phone."""
    options: list[ColumnElement[bool]] = []
    email = prospect.email.strip()
    if email:
        options.append(Prospect.email.in_(sorted({email, email.lower()})))
    phone = prospect.phone.strip()
    if phone:
        options.append(Prospect.phone == phone)
    if not options:
        return []
    stmt = (
        select(Prospect)
        .where(or_(*options), Prospect.id != prospect.id, *visible_clauses(viewer))
        .order_by(Prospect.created_at.desc(), Prospect.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
