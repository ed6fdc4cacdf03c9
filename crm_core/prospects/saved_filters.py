"""Each user's named filters of a list — the prospects list, and (with the
same rules) the accounts and offers lists: a name per user and list, the
filter stored as its normalised query string."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crm_core.errors import NotFound, ValidationFailed
from crm_core.prospects.models import SavedFilter
from crm_core.users.models import User

MAX_NAME = 100
MAX_PER_USER = 50
LISTS = ("prospects", "accounts", "offers")


class QueryFilter(Protocol):
    def to_query(self) -> str: ...


def list_saved_filters(session: Session, user: User, list_name: str = "prospects") -> list[SavedFilter]:
    stmt = (
        select(SavedFilter)
        .where(SavedFilter.user_id == user.id, SavedFilter.list_name == list_name)
        .order_by(SavedFilter.name)
    )
    return list(session.scalars(stmt))


def save_filter(
    session: Session, user: User, name: str, flt: QueryFilter, list_name: str = "prospects"
) -> SavedFilter:
    """Save (or overwrite, by name) ``flt`` as one of ``user``'s filters of ``list_name``."""
    if list_name not in LISTS:
        raise ValueError(list_name)
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed({"name": ["Give the filter a name."]})
    if len(name) > MAX_NAME:
        raise ValidationFailed({"name": [f"At most {MAX_NAME} characters."]})
    query = flt.to_query()
    if len(query) > 2000:
        raise ValidationFailed({"name": ["This filter is too long to save."]})
    existing = session.scalar(
        select(SavedFilter).where(
            SavedFilter.user_id == user.id, SavedFilter.list_name == list_name, SavedFilter.name == name
        )
    )
    if existing is not None:
        existing.query = query
        session.flush()
        return existing
    if len(list_saved_filters(session, user, list_name)) >= MAX_PER_USER:
        raise ValidationFailed({"name": [f"At most {MAX_PER_USER} saved filters; delete one first."]})
    saved = SavedFilter(user_id=user.id, list_name=list_name, name=name, query=query)
    session.add(saved)
    session.flush()
    return saved


def delete_saved_filter(session: Session, user: User, filter_id: int, list_name: str = "prospects") -> None:
    """Only the owner's own filters of that list; anyone else's id is "not found"."""
    result = session.execute(
        delete(SavedFilter).where(
            SavedFilter.id == filter_id, SavedFilter.user_id == user.id, SavedFilter.list_name == list_name
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("No such saved filter.")
