"""Reading activities: a record's upcoming (planned) and past (held, not held) ones."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.activities.models import Activity, ActivityStatus
from crm_core.errors import NotFound
from crm_core.paging import Page, keyset_page
from crm_core.parents import Parent
from crm_core.related import check_parent_visible
from crm_core.users.models import User

UPCOMING_LIMIT = 20


def upcoming_activities(session: Session, parent: Parent, limit: int = UPCOMING_LIMIT) -> list[Activity]:
    stmt = (
        select(Activity)
        .where(
            Activity.parent_type == parent.type,
            Activity.parent_id == parent.id,
            Activity.status == ActivityStatus.PLANNED,
        )
        .order_by(Activity.starts_at, Activity.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def get_visible_activity(session: Session, viewer: User, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound("This activity no longer exists.")
    check_parent_visible(session, viewer, activity.parent)
    return activity


def activities_page(
    session: Session, parent: Parent, *, after: str | None = None, before: str | None = None, limit: int = 50
) -> Page:
    """All of a record's activities, latest start first, a keyset page at a time (the API's list)."""
    stmt = select(Activity).where(Activity.parent_type == parent.type, Activity.parent_id == parent.id)
    return keyset_page(
        session,
        stmt,
        sort="-starts",
        column=Activity.starts_at,
        id_column=Activity.id,
        key_of=lambda row: (row[0].starts_at, row[0].id),
        after=after,
        before=before,
        limit=limit,
    )
