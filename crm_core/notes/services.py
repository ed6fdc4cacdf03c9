"""Writing notes. Anyone who may see the parent adds one; only its author or
an admin edits or deletes it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from crm_core.errors import DomainError, ValidationFailed
from crm_core.notes.models import Note
from crm_core.notes.queries import get_visible_note
from crm_core.notes.schemas import NoteSchema
from crm_core.parents import Parent
from crm_core.permissions import can_edit_note
from crm_core.related import check_parent_visible
from crm_core.text.fields import flatten_errors
from crm_core.users.models import User

_schema = NoteSchema()


def _body(data: Mapping[str, Any]) -> str:
    try:
        return _schema.load(dict(data))["body"]
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from exc


def add_note(session: Session, author: User, parent: Parent, data: Mapping[str, Any]) -> Note:
    check_parent_visible(session, author, parent)
    note = Note(parent_type=parent.type, parent_id=parent.id, author_id=author.id, body=_body(data))
    session.add(note)
    session.flush()
    return note


def _editable(session: Session, editor: User, note_id: int) -> Note:
    note = get_visible_note(session, editor, note_id)
    if not can_edit_note(editor, note.author_id):
        raise DomainError("Only the note's author or an admin can change it.")
    return note


def update_note(session: Session, editor: User, note_id: int, data: Mapping[str, Any]) -> Note:
    note = _editable(session, editor, note_id)
    note.body = _body(data)
    session.flush()
    return note


def delete_note(session: Session, editor: User, note_id: int) -> Note:
    note = _editable(session, editor, note_id)
    session.delete(note)
    session.flush()
    return note
