"""Contacts: ``/{prospects|accounts|offers}/{id}/contacts`` (list, add) and
``/contacts/{id}`` (get, change, delete). One contact of a record is its
primary one; the services keep it so."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from marshmallow import Schema, fields

from capture.api.auth import api_user
from capture.api.parents import PARENTS, SINGULAR, parent_of
from capture.api.resource import Resource
from capture.api.schemas import Strict, Timestamp, form_values, patch_of
from capture.api.writes import IDEMPOTENCY_DOC, idempotent_create, write
from capture.database import db_session
from crm_core.contacts.models import Contact
from crm_core.contacts.queries import contacts_of, get_visible_contact
from crm_core.contacts.schemas import ContactSchema
from crm_core.contacts.services import add_contact, delete_contact, update_contact
from crm_core.parents import ParentType
from crm_core.related import check_parent_visible

bp = Resource(
    "contacts", __name__, tag="Contacts", description="Contact persons of a prospect, account or offer."
)


class ContactIn(ContactSchema, Strict):
    """The admin's contact fields (``crm_core.contacts.schemas``); ``is_primary`` as a JSON boolean."""

    is_primary = fields.Boolean(load_default=False)

    class Meta:
        unknown = Strict.Meta.unknown


ContactPatch = patch_of(ContactIn, "ContactPatch")


class ContactOut(Schema):
    id = fields.Integer(required=True)
    parent_type = fields.Enum(ParentType, by_value=True, required=True)
    parent_id = fields.Integer(required=True)
    name = fields.String(required=True)
    job_title = fields.String(required=True)
    department = fields.String(required=True)
    phone = fields.String(required=True)
    email = fields.String(required=True)
    is_primary = fields.Boolean(required=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


class ContactList(Schema):
    items = fields.List(fields.Nested(ContactOut), required=True)


def _current(contact: Contact) -> dict[str, Any]:
    return {name: getattr(contact, name) for name in ContactIn().fields}


def _nested(segment: str) -> None:
    what = SINGULAR[segment]

    @bp.route(f"/{segment}/<id:parent_id>/contacts", methods=["GET"], endpoint=f"{what}_list")
    @bp.doc(summary=f"List a {what}'s contacts", description="The primary contact first.")
    @bp.response(200, ContactList)
    def list_contacts(parent_id: int) -> dict[str, Any]:
        parent = parent_of(segment, parent_id)
        check_parent_visible(db_session(), api_user(), parent)
        return {"items": contacts_of(db_session(), parent)}

    @bp.route(f"/{segment}/<id:parent_id>/contacts", methods=["POST"], endpoint=f"{what}_create")
    @bp.doc(
        summary=f"Add a contact to a {what}", description="The first one becomes primary.", **IDEMPOTENCY_DOC
    )
    @idempotent_create
    @bp.arguments(ContactIn)
    @bp.response(201, ContactOut)
    def create(data: dict[str, Any], parent_id: int) -> Any:
        contact = add_contact(db_session(), api_user(), parent_of(segment, parent_id), form_values(data))
        return contact, {"Location": url_for("api.contacts.one", contact_id=contact.id)}


for _segment in PARENTS:
    _nested(_segment)


@bp.route("/contacts/<id:contact_id>", methods=["GET"], endpoint="one")
@bp.response(200, ContactOut)
def one(contact_id: int) -> Contact:
    """Get a contact"""
    return get_visible_contact(db_session(), api_user(), contact_id)


@bp.route("/contacts/<id:contact_id>", methods=["PATCH"], endpoint="update")
@write
@bp.arguments(ContactPatch)
@bp.response(200, ContactOut)
def update(data: dict[str, Any], contact_id: int) -> Contact:
    """Change a contact (only the fields sent)"""
    session = db_session()
    current = get_visible_contact(session, api_user(), contact_id)
    return update_contact(session, api_user(), contact_id, form_values({**_current(current), **data}))


@bp.route("/contacts/<id:contact_id>", methods=["DELETE"], endpoint="delete")
@write
@bp.response(204)
def delete(contact_id: int) -> Response:
    """Delete a contact (another becomes primary if it was)"""
    delete_contact(db_session(), api_user(), contact_id)
    return Response(status=204)
