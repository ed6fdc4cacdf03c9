"""Reading notes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm_core.errors import NotFound
from crm_core.notes.models import Note
from crm_core.related import check_parent_visible
from crm_core.users.models import User


def get_visible_note(session: Session, viewer: User, note_id: int) -> Note:
    note = session.get(Note, note_id)
    if note is None:
        raise NotFound("This note no longer exists.")
    check_parent_visible(session, viewer, note.parent)
    return note
