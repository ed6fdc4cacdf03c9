"""Reading notes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.errors import NotFound
from crm_core.notes.models import Note
from crm_core.paging import Page, keyset_page
from crm_core.parents import Parent
from crm_core.related import check_parent_visible
from crm_core.users.models import User


def get_visible_note(session: Session, viewer: User, note_id: int) -> Note:
    note = session.get(Note, note_id)
    if note is None:
        raise NotFound("This note no longer exists.")
    check_parent_visible(session, viewer, note.parent)
    return note


def notes_page(
    session: Session, parent: Parent, *, after: str | None = None, before: str | None = None, limit: int = 50
) -> Page:
    """A record's notes, newest first, a keyset page at a time (the API's list)."""
    stmt = select(Note).where(Note.parent_type == parent.type, Note.parent_id == parent.id)
    return keyset_page(
        session,
        stmt,
        sort="-created",
        column=Note.created_at,
        id_column=Note.id,
        key_of=lambda row: (row[0].created_at, row[0].id),
        after=after,
        before=before,
        limit=limit,
    )
