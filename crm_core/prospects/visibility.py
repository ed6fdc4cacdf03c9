"""Who may see a prospect. A sales user sees only the prospects they own — in
lists, counts, detail pages and bulk actions alike — because every read of
prospects goes through ``visible_clauses``; the role rule itself is
``crm_core.permissions.can_see_all_prospects``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from crm_core.errors import NotFound
from crm_core.permissions import can_see_all_prospects
from crm_core.prospects.models import Prospect
from crm_core.users.models import User


def is_restricted(viewer: User) -> bool:
    return not can_see_all_prospects(viewer)


def visible_clauses(viewer: User) -> list[ColumnElement[bool]]:
    """The rows ``viewer`` may see at all."""
    return [Prospect.owner_id == viewer.id] if is_restricted(viewer) else []


def get_visible_prospect(session: Session, viewer: User, prospect_id: int) -> Prospect:
    """The prospect, or ``NotFound`` — also when it exists but is not ``viewer``'s to see."""
    prospect = session.scalar(select(Prospect).where(Prospect.id == prospect_id, *visible_clauses(viewer)))
    if prospect is None:
        raise NotFound("No such prospect.")
    return prospect


def visible_ids(session: Session, viewer: User, ids: Sequence[int]) -> list[int]:
    if not ids:
        return []
    stmt = select(Prospect.id).where(Prospect.id.in_(set(ids)), *visible_clauses(viewer))
    return list(session.scalars(stmt.order_by(Prospect.id)))


def visible_names(session: Session, viewer: User, ids: Sequence[int]) -> list[tuple[int, str]]:
    """(id, name) of the selected prospects ``viewer`` may see, e.g. to confirm a bulk delete."""
    if not ids:
        return []
    stmt = select(Prospect.id, Prospect.name).where(Prospect.id.in_(set(ids)), *visible_clauses(viewer))
    return [(row.id, row.name) for row in session.execute(stmt.order_by(Prospect.id))]
