"""The prospects board ("Kanban lenta"): one column per status, in the
statuses' order, with the list's filters (``ProspectFilter``) and role rules.

Each column is the list filtered by that status — its count is what the list
shows for ``?status=<id>&…`` (every matching prospect, not the cards loaded),
and its cards are keyset pages newest first, so a column of 400,000 costs what
a column of 40 costs. Counts for all columns come from the running tallies
(``crm_core.reports.tallies``) — a few thousand rows for a million prospects.

Which columns appear: the statuses an admin put on the board
(``Status.on_board``; converted and junk are off by default), or exactly the
statuses the filter names.

A move is the one status change of ``crm_core.prospects.status`` — history,
automatic tasks and the conversion rule included; a move into a status of kind
"converted" is refused with ``ConvertInstead`` so the page can open the
prospect's Convert / Allocate flow rather than convert without an account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, literal, select, tuple_, update
from sqlalchemy.orm import Session

from crm_core.errors import ConvertInstead, DomainError, NotFound
from crm_core.lists.models import Status, StatusKind
from crm_core.prospects.filters import TEXT_FILTERS, ProspectFilter
from crm_core.prospects.models import Prospect
from crm_core.prospects.queries import Cursor, matching_clauses
from crm_core.prospects.status import UTC_ZONE, change_status
from crm_core.prospects.visibility import get_visible_prospect
from crm_core.reports.planning import for_short_reads
from crm_core.reports.tallies import Filters, counts_by
from crm_core.users.models import User

CARDS_PER_PAGE = 20
MAX_CARDS_PER_PAGE = 100
BOARD_SORT = "-created"  # newest first: what arrived last is worked first

CARD_COLUMNS = (
    Prospect.id,
    Prospect.name,
    Prospect.company,
    Prospect.status_id,
    Prospect.priority_id,
    Prospect.owner_id,
    Prospect.next_task_due,
    Prospect.open_tasks,
    Prospect.created_at,
)


@dataclass(frozen=True)
class CardPage:
    cards: Sequence[Any]  # rows of CARD_COLUMNS
    next_cursor: str | None


@dataclass(frozen=True)
class BoardColumn:
    status: Status
    count: int
    page: CardPage

    @property
    def is_converted(self) -> bool:
        return self.status.kind == StatusKind.CONVERTED


def board_statuses(session: Session, flt: ProspectFilter) -> list[Status]:
    """The columns: the statuses the filter names, or those an admin put on the board."""
    stmt = select(Status).order_by(Status.position, Status.id)
    stmt = stmt.where(Status.id.in_(flt.status)) if flt.status else stmt.where(Status.on_board.is_(True))
    return list(session.scalars(stmt))


def column_filter(flt: ProspectFilter, status_id: int) -> ProspectFilter:
    """The list's filter for one column: the board's filter with that one status."""
    return replace(flt, status=(status_id,), sort=BOARD_SORT)


def column_counts(
    session: Session, viewer: User, flt: ProspectFilter, status_ids: Sequence[int]
) -> dict[int, int]:
    """Every matching prospect per status: from the running tallies when the
    filter is by owner, status, source, priority or form alone (what they can
    answer; ``crm_core.reports.tallies``), else one grouped count."""
    if not status_ids:
        return {}
    flt = replace(flt, status=tuple(status_ids))
    if _tallies_can_answer(flt):
        tallied = counts_by(session, ("status",), Filters.of(flt, viewer))
        return {status_id: tallied.get((status_id,), 0) for status_id in status_ids}
    clauses = matching_clauses(flt, viewer)
    stmt = select(Prospect.status_id, func.count()).where(*clauses).group_by(Prospect.status_id)
    found = {status_id: count for status_id, count in session.execute(stmt)}
    return {status_id: found.get(status_id, 0) for status_id in status_ids}


def _tallies_can_answer(flt: ProspectFilter) -> bool:
    """No text search and no created range: the tallies count by value, not by text or time."""
    return not any(getattr(flt, name) for name in ("q", *TEXT_FILTERS, "created_from", "created_to"))


def column_page(
    session: Session,
    viewer: User,
    flt: ProspectFilter,
    status_id: int,
    *,
    after: str | None = None,
    limit: int = CARDS_PER_PAGE,
) -> CardPage:
    """One page of a column's cards, newest first, after a cursor from the previous page."""
    limit = max(1, min(limit, MAX_CARDS_PER_PAGE))
    stmt: Select[Any] = select(*CARD_COLUMNS).where(*matching_clauses(column_filter(flt, status_id), viewer))
    cursor = Cursor.decode(after, BOARD_SORT) if after else None
    if cursor is not None:
        bound = tuple_(literal(cursor.value, Prospect.created_at.type), literal(cursor.id, Prospect.id.type))
        stmt = stmt.where(tuple_(Prospect.created_at, Prospect.id) < bound)
    rows = list(
        session.execute(stmt.order_by(Prospect.created_at.desc(), Prospect.id.desc()).limit(limit + 1)).all()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = Cursor(BOARD_SORT, rows[-1].created_at, rows[-1].id).encode() if more and rows else None
    return CardPage(rows, next_cursor)


def load_board(
    session: Session, viewer: User, flt: ProspectFilter, *, limit: int = CARDS_PER_PAGE
) -> list[BoardColumn]:
    """The board's first paint: every column with its count and first page."""
    for_short_reads(session)
    statuses = board_statuses(session, flt)
    counts = column_counts(session, viewer, flt, [s.id for s in statuses])
    return [
        BoardColumn(status, counts[status.id], column_page(session, viewer, flt, status.id, limit=limit))
        for status in statuses
    ]


def move_card(
    session: Session, editor: User, prospect_id: int, status_id: int, *, zone: ZoneInfo = UTC_ZONE
) -> Prospect:
    """Drop a card on another column: the one status change, or ``ConvertInstead``
    for a "converted" column, ``NotFound`` when the prospect (or the status) is gone."""
    prospect = get_visible_prospect(session, editor, prospect_id)
    status = session.get(Status, status_id)
    if status is None:
        raise NotFound("That column's status no longer exists; reload the board.")
    if (
        status.kind == StatusKind.CONVERTED
        and prospect.converted_at is None
        and prospect.status_id != status_id
    ):
        raise ConvertInstead(
            f"“{prospect.name}” becomes converted through Convert (a new account and offer) or "
            "Allocate (an existing account).",
            prospect.id,
        )
    return change_status(session, editor, prospect_id, status_id, zone=zone)


def set_board_statuses(session: Session, shown: Sequence[int]) -> list[Status]:
    """Settings: exactly these statuses get a column (admins choose on the board)."""
    ids = sorted(set(shown))
    if not ids:
        raise DomainError("Keep at least one status on the board.")
    known = set(session.scalars(select(Status.id).where(Status.id.in_(ids))))
    if known != set(ids):
        raise NotFound("One of those statuses no longer exists; reload the page.")
    session.execute(
        update(Status).values(on_board=Status.id.in_(ids)).execution_options(synchronize_session="fetch")
    )
    session.flush()
    return list(session.scalars(select(Status).order_by(Status.position, Status.id)))


def card_age_days(created_at: datetime, today: date, zone: ZoneInfo) -> int:
    """Whole days since the prospect came in, counted in the instance's zone."""
    return max(0, (today - created_at.astimezone(zone).date()).days)
