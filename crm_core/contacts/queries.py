"""Reading a parent's contacts (primary first)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.contacts.models import Contact
from crm_core.errors import NotFound
from crm_core.parents import Parent
from crm_core.related import check_parent_visible
from crm_core.users.models import User


def contacts_of(session: Session, parent: Parent) -> list[Contact]:
    stmt = (
        select(Contact)
        .where(Contact.parent_type == parent.type, Contact.parent_id == parent.id)
        .order_by(Contact.is_primary.desc(), Contact.name, Contact.id)
    )
    return list(session.scalars(stmt))


def get_visible_contact(session: Session, viewer: User, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("This contact no longer exists.")
    check_parent_visible(session, viewer, contact.parent)
    return contact
