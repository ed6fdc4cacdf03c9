"""Notes: ``/{prospects|accounts|offers}/{id}/notes`` (list, add) and
``/notes/{id}`` (get, change, delete). Anyone who may see the record adds a
note; only its author or an admin changes or deletes it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, url_for
from marshmallow import Schema, fields

from capture.api import problems
from capture.api.auth import api_user
from capture.api.parents import PARENTS, SINGULAR, bad_cursor, page_answer, parent_of
from capture.api.resource import Resource
from capture.api.schemas import PageArgs, Strict, Timestamp, form_values, page_of
from capture.api.writes import IDEMPOTENCY_DOC, idempotent_create, write
from capture.database import db_session
from crm_core.notes.models import Note
from crm_core.notes.queries import get_visible_note, notes_page
from crm_core.notes.schemas import NoteSchema
from crm_core.notes.services import add_note, delete_note, update_note
from crm_core.parents import ParentType
from crm_core.permissions import can_edit_note
from crm_core.related import check_parent_visible

bp = Resource("notes", __name__, tag="Notes", description="Free-text notes on a prospect, account or offer.")


class NoteIn(NoteSchema, Strict):
    class Meta:
        unknown = Strict.Meta.unknown


class NoteOut(Schema):
    id = fields.Integer(required=True)
    parent_type = fields.Enum(ParentType, by_value=True, required=True)
    parent_id = fields.Integer(required=True)
    body = fields.String(required=True)
    author_id = fields.Integer(allow_none=True, required=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


NotePage = page_of(NoteOut, "NotePage")


def _nested(segment: str) -> None:
    what = SINGULAR[segment]

    @bp.route(f"/{segment}/<id:parent_id>/notes", methods=["GET"], endpoint=f"{what}_list")
    @bp.doc(summary=f"List a {what}'s notes", description="Newest first.")
    @bp.arguments(PageArgs, location="query", as_kwargs=True)
    @bp.response(200, NotePage)
    def list_notes(parent_id: int, **args: Any) -> Any:
        parent = parent_of(segment, parent_id)
        check_parent_visible(db_session(), api_user(), parent)
        refused = bad_cursor(args, "-created")
        if refused is not None:
            return refused
        page = notes_page(
            db_session(), parent, after=args.get("after"), before=args.get("before"), limit=args["limit"]
        )
        return page_answer(page)

    @bp.route(f"/{segment}/<id:parent_id>/notes", methods=["POST"], endpoint=f"{what}_create")
    @bp.doc(summary=f"Add a note to a {what}", **IDEMPOTENCY_DOC)
    @idempotent_create
    @bp.arguments(NoteIn)
    @bp.response(201, NoteOut)
    def create(data: dict[str, Any], parent_id: int) -> Any:
        note = add_note(db_session(), api_user(), parent_of(segment, parent_id), form_values(data))
        return note, {"Location": url_for("api.notes.one", note_id=note.id)}


for _segment in PARENTS:
    _nested(_segment)


def _author_or_admin(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuses (403) anyone but the note's author or an admin — before the body is read."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        note = get_visible_note(db_session(), api_user(), kwargs["note_id"])
        if not can_edit_note(api_user(), note.author_id):
            return problems.problem(
                403, "Only the note's author or an admin can change or delete it.", type_=problems.FORBIDDEN
            )
        return view(*args, **kwargs)

    return wrapped


@bp.route("/notes/<id:note_id>", methods=["GET"], endpoint="one")
@bp.response(200, NoteOut)
def one(note_id: int) -> Note:
    """Get a note"""
    return get_visible_note(db_session(), api_user(), note_id)


@bp.route("/notes/<id:note_id>", methods=["PATCH"], endpoint="update")
@write
@_author_or_admin
@bp.arguments(NoteIn)
@bp.response(200, NoteOut)
def update(data: dict[str, Any], note_id: int) -> Note:
    """Change a note (its author or an admin)"""
    return update_note(db_session(), api_user(), note_id, form_values(data))


@bp.route("/notes/<id:note_id>", methods=["DELETE"], endpoint="delete")
@write
@_author_or_admin
@bp.response(204)
def delete(note_id: int) -> Response:
    """Delete a note (its author or an admin)"""
    delete_note(db_session(), api_user(), note_id)
    return Response(status=204)
