"""Notes on a prospect's card: anyone who may see the prospect writes one; its
author or an admin edits or deletes it (``crm_core.permissions.can_edit_note``
hides the buttons from others, and the service refuses them anyway)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from werkzeug.wrappers import Response

from capture.admin.auth import login_required, viewer
from capture.admin.prospects import bp
from capture.admin.prospects.card import card_url, check_on_prospect, prospect_links, render_card
from capture.admin.record_card import FormState, failed, posted
from capture.database import db_session
from crm_core.errors import DomainError, ValidationFailed
from crm_core.notes.models import Note
from crm_core.notes.queries import get_visible_note
from crm_core.notes.services import add_note, delete_note, update_note
from crm_core.parents import Parent
from crm_core.permissions import can_edit_note
from crm_core.prospects.visibility import get_visible_prospect

NOT_YOURS = "Only the note's author or an admin can change it."


def _note(prospect_id: int, note_id: int) -> Note:
    session = db_session()
    get_visible_prospect(session, viewer(), prospect_id)
    note = get_visible_note(session, viewer(), note_id)
    check_on_prospect(note.parent, prospect_id)
    if not can_edit_note(viewer(), note.author_id):
        raise DomainError(NOT_YOURS)
    return note


@bp.post("/prospects/<int:prospect_id>/notes", endpoint="note_add")
@login_required
def note_add(prospect_id: int) -> Response | tuple[str, int]:
    session = db_session()
    values = posted(request.form)
    try:
        add_note(session, viewer(), Parent.prospect(prospect_id), values)
    except ValidationFailed as exc:
        session.rollback()
        return render_card(prospect_id, form="note", state=failed(values, exc.fields), status=400)
    session.commit()
    flash("Note added.", "info")
    return redirect(card_url(prospect_id, "timeline"))


def _edit_page(prospect_id: int, note: Note, state: FormState, status: int = 200) -> tuple[str, int]:
    prospect = get_visible_prospect(db_session(), viewer(), prospect_id)
    page = render_template(
        "admin/prospects/note_edit.html",
        p=prospect,
        note=note,
        state=state,
        links=prospect_links(prospect_id),
    )
    return page, status


@bp.route(
    "/prospects/<int:prospect_id>/notes/<int:note_id>/edit", methods=["GET", "POST"], endpoint="note_edit"
)
@login_required
def note_edit(prospect_id: int, note_id: int) -> Response | tuple[str, int]:
    note = _note(prospect_id, note_id)
    if request.method == "GET":
        return _edit_page(prospect_id, note, FormState({"body": note.body}))
    session = db_session()
    values = posted(request.form)
    try:
        update_note(session, viewer(), note.id, values)
    except ValidationFailed as exc:
        session.rollback()
        return _edit_page(prospect_id, _note(prospect_id, note_id), failed(values, exc.fields), 400)
    session.commit()
    flash("Note saved.", "info")
    return redirect(card_url(prospect_id, "timeline"))


@bp.route(
    "/prospects/<int:prospect_id>/notes/<int:note_id>/delete", methods=["GET", "POST"], endpoint="note_delete"
)
@login_required
def note_delete(prospect_id: int, note_id: int) -> Response | str:
    note = _note(prospect_id, note_id)
    if request.method == "GET":
        excerpt = note.body if len(note.body) <= 200 else note.body[:200] + "…"
        return render_template(
            "admin/prospects/confirm_delete.html",
            p=get_visible_prospect(db_session(), viewer(), prospect_id),
            links=prospect_links(prospect_id),
            title="Delete this note?",
            what=excerpt,
            when=note.created_at,
            consequence="The note is removed for good.",
            button="Delete note",
            back="timeline",
        )
    session = db_session()
    delete_note(session, viewer(), note.id)
    session.commit()
    flash("Note deleted.", "info")
    return redirect(card_url(prospect_id, "timeline"))
