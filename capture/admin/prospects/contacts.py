"""A prospect's contacts from its card: add (on the card), edit, delete after
a confirmation. The services check that the user may see the prospect."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request
from werkzeug.wrappers import Response

from capture.admin.auth import login_required, viewer
from capture.admin.prospects import bp
from capture.admin.prospects.card import card_url, check_on_prospect, prospect_links, render_card
from capture.admin.record_card import FormState, failed, posted
from capture.database import db_session
from crm_core.contacts.models import Contact
from crm_core.contacts.queries import get_visible_contact
from crm_core.contacts.services import add_contact, delete_contact, update_contact
from crm_core.errors import ValidationFailed
from crm_core.parents import Parent
from crm_core.prospects.visibility import get_visible_prospect

FIELDS = ("name", "job_title", "department", "phone", "email")


def _contact(prospect_id: int, contact_id: int) -> Contact:
    session = db_session()
    get_visible_prospect(session, viewer(), prospect_id)
    contact = get_visible_contact(session, viewer(), contact_id)
    check_on_prospect(contact.parent, prospect_id)
    return contact


def _values(contact: Contact) -> dict[str, Any]:
    return {
        **{name: getattr(contact, name) for name in FIELDS},
        "is_primary": "1" if contact.is_primary else "",
    }


@bp.post("/prospects/<int:prospect_id>/contacts", endpoint="contact_add")
@login_required
def contact_add(prospect_id: int) -> Response | tuple[str, int]:
    session = db_session()
    values = posted(request.form)
    try:
        contact = add_contact(session, viewer(), Parent.prospect(prospect_id), values)
    except ValidationFailed as exc:
        session.rollback()
        return render_card(prospect_id, form="contact", state=failed(values, exc.fields), status=400)
    session.commit()
    flash(f"Contact “{contact.name}” added.", "info")
    return redirect(card_url(prospect_id, "contacts"))


def _edit_page(prospect_id: int, contact_id: int, state: FormState, status: int = 200) -> tuple[str, int]:
    prospect = get_visible_prospect(db_session(), viewer(), prospect_id)
    return render_template(
        "admin/prospects/contact_edit.html",
        p=prospect,
        contact_id=contact_id,
        state=state,
        links=prospect_links(prospect_id),
    ), status


@bp.route(
    "/prospects/<int:prospect_id>/contacts/<int:contact_id>/edit",
    methods=["GET", "POST"],
    endpoint="contact_edit",
)
@login_required
def contact_edit(prospect_id: int, contact_id: int) -> Response | tuple[str, int]:
    contact = _contact(prospect_id, contact_id)
    if request.method == "GET":
        return _edit_page(prospect_id, contact_id, FormState(_values(contact)))
    session = db_session()
    values = posted(request.form)
    try:
        update_contact(session, viewer(), contact.id, values)
    except ValidationFailed as exc:
        session.rollback()
        return _edit_page(prospect_id, contact_id, failed(values, exc.fields), 400)
    session.commit()
    flash("Contact saved.", "info")
    return redirect(card_url(prospect_id, "contacts"))


@bp.route(
    "/prospects/<int:prospect_id>/contacts/<int:contact_id>/delete",
    methods=["GET", "POST"],
    endpoint="contact_delete",
)
@login_required
def contact_delete(prospect_id: int, contact_id: int) -> Response | str:
    contact = _contact(prospect_id, contact_id)
    if request.method == "GET":
        return render_template(
            "admin/prospects/confirm_delete.html",
            p=get_visible_prospect(db_session(), viewer(), prospect_id),
            links=prospect_links(prospect_id),
            title="Delete this contact?",
            what=contact.name,
            detail=" · ".join(v for v in (contact.job_title, contact.department) if v),
            consequence="The contact is removed from this prospect and from the calls and meetings it was part of.",
            button="Delete contact",
            back="contacts",
        )
    session = db_session()
    name = contact.name
    delete_contact(session, viewer(), contact.id)
    session.commit()
    flash(f"Contact “{name}” deleted.", "info")
    return redirect(card_url(prospect_id, "contacts"))
