"""Each user's named prospect filters."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crm_core.errors import NotFound, ValidationFailed
from crm_core.prospects.filters import ProspectFilter
from crm_core.prospects.models import SavedFilter
from crm_core.users.models import User

MAX_NAME = 100
MAX_PER_USER = 50


def list_saved_filters(session: Session, user: User) -> list[SavedFilter]:
    stmt = select(SavedFilter).where(SavedFilter.user_id == user.id).order_by(SavedFilter.name)
    return list(session.scalars(stmt))


def save_filter(session: Session, user: User, name: str, flt: ProspectFilter) -> SavedFilter:
    """Save (or overwrite, by name) ``flt`` as one of ``user``'s filters."""
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed({"name": ["Give the filter a name."]})
    if len(name) > MAX_NAME:
        raise ValidationFailed({"name": [f"At most {MAX_NAME} characters."]})
    query = flt.to_query()
    if len(query) > 2000:
        raise ValidationFailed({"name": ["This filter is too long to save."]})
    existing = session.scalar(
        select(SavedFilter).where(SavedFilter.user_id == user.id, SavedFilter.name == name)
    )
    if existing is not None:
        existing.query = query
        session.flush()
        return existing
    if len(list_saved_filters(session, user)) >= MAX_PER_USER:
        raise ValidationFailed({"name": [f"At most {MAX_PER_USER} saved filters; delete one first."]})
    saved = SavedFilter(user_id=user.id, name=name, query=query)
    session.add(saved)
    session.flush()
    return saved


def delete_saved_filter(session: Session, user: User, filter_id: int) -> None:
    """Only the owner's own filters; anyone else's id is "not found"."""
    result = session.execute(
        delete(SavedFilter).where(SavedFilter.id == filter_id, SavedFilter.user_id == user.id)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("No such saved filter.")
