"""Adding, editing and deleting a parent's contacts; one of them is primary
(the first one added, or whichever is marked so last)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import update
from sqlalchemy.orm import Session

from crm_core.contacts.models import Contact
from crm_core.contacts.queries import contacts_of, get_visible_contact
from crm_core.contacts.schemas import ContactSchema
from crm_core.errors import ValidationFailed
from crm_core.parents import Parent
from crm_core.related import check_parent_visible
from crm_core.text.fields import flatten_errors
from crm_core.users.models import User

_schema = ContactSchema()


def _load(data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return _schema.load(dict(data))
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from exc


def _make_only_primary(session: Session, contact: Contact) -> None:
    session.execute(
        update(Contact)
        .where(
            Contact.parent_type == contact.parent_type,
            Contact.parent_id == contact.parent_id,
            Contact.id != contact.id,
        )
        .values(is_primary=False)
        .execution_options(synchronize_session="fetch")
    )
    contact.is_primary = True


def add_contact(session: Session, editor: User, parent: Parent, data: Mapping[str, Any]) -> Contact:
    check_parent_visible(session, editor, parent)
    values = _load(data)
    first = not contacts_of(session, parent)
    contact = Contact(parent_type=parent.type, parent_id=parent.id, created_by_id=editor.id, **values)
    session.add(contact)
    session.flush()
    if first or contact.is_primary:
        _make_only_primary(session, contact)
    session.flush()
    return contact


def update_contact(session: Session, editor: User, contact_id: int, data: Mapping[str, Any]) -> Contact:
    contact = get_visible_contact(session, editor, contact_id)
    values = _load(data)
    was_primary = contact.is_primary
    for name, value in values.items():
        setattr(contact, name, value)
    if contact.is_primary:
        _make_only_primary(session, contact)
    elif was_primary:
        contact.is_primary = True  # a parent keeps a primary contact: mark another one instead
    session.flush()
    return contact


def delete_contact(session: Session, editor: User, contact_id: int) -> Contact:
    contact = get_visible_contact(session, editor, contact_id)
    parent, was_primary = contact.parent, contact.is_primary
    session.delete(contact)
    session.flush()
    if was_primary:
        remaining = contacts_of(session, parent)
        if remaining:
            _make_only_primary(session, remaining[0])
            session.flush()
    return contact
