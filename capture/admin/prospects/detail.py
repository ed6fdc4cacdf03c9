"""One prospect: its card (fields, capture metadata, contacts, activities,
tasks, notes and the timeline), a further page of the timeline for the card's
"Show older", add, edit, delete. The card's own forms post to the routes of
``contacts``, ``activities``, ``card_tasks`` and ``notes``."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from capture.admin.auth import login_required, viewer
from capture.admin.prospects import bp
from capture.admin.prospects.card import prospect_links, render_card
from capture.admin.record_card import card_vocabulary
from capture.database import db_session
from capture.instance import zone
from crm_core.errors import NotFound, ValidationFailed
from crm_core.parents import Parent
from crm_core.prospects.labels import FIELD_LABELS, ListSnapshot
from crm_core.prospects.models import Prospect
from crm_core.prospects.schemas import EDITABLE_FIELDS
from crm_core.prospects.services import create_prospect, delete_prospect, update_prospect
from crm_core.prospects.visibility import get_visible_prospect
from crm_core.timeline import FILTERS, timeline_page
from crm_core.users.models import Role, User


def _visible(prospect_id: int) -> Prospect:
    return get_visible_prospect(db_session(), viewer(), prospect_id)


def _form_values(prospect: Prospect | None) -> dict[str, str]:
    if prospect is None:
        user = viewer()
        # Sales add leads for themselves; others choose.
        return {"owner_id": str(user.id)} if user.role == Role.SALES else {}
    return {f: "" if getattr(prospect, f) is None else str(getattr(prospect, f)) for f in EDITABLE_FIELDS}


def _render_form(
    prospect: Prospect | None, values: dict[str, str], errors: dict[str, list[str]], status: int
):
    return (
        render_template(
            "admin/prospects/form.html",
            prospect=prospect,
            values=values,
            errors=errors,
            labels=FIELD_LABELS,
            lists=ListSnapshot.load(db_session()),
        ),
        status,
    )


def _posted() -> dict[str, str]:
    """The fields the form sent; one it left out is left unchanged."""
    return {f: request.form[f] for f in EDITABLE_FIELDS if f in request.form}


@bp.get("/prospects/<int:prospect_id>", endpoint="detail")
@login_required
def prospect_detail(prospect_id: int) -> tuple[str, int]:
    """The card; ``?filter=`` and ``?after=`` (a timeline cursor) page the
    timeline without JavaScript."""
    return render_card(
        prospect_id, filter_key=request.args.get("filter", "all"), after=request.args.get("after") or None
    )


@bp.get("/prospects/<int:prospect_id>/timeline", endpoint="timeline")
@login_required
def prospect_timeline(prospect_id: int) -> str:
    """The timeline's next page alone, for the card's script to append under the
    entries already shown (the "Show older" link loads the whole card without it)."""
    prospect = _visible(prospect_id)
    filter_key = request.args.get("filter", "all")
    filter_key = filter_key if filter_key in FILTERS else "all"
    session = db_session()
    page = timeline_page(
        session, Parent.prospect(prospect.id), filter_key=filter_key, after=request.args.get("after") or None
    )
    return render_template(
        "admin/prospects/_timeline_page.html",
        p=prospect,
        page=page,
        users={u.id: u for u in session.scalars(select(User))},
        labels=FIELD_LABELS,
        filter_key=filter_key,
        links=prospect_links(prospect.id),
        **card_vocabulary(),
    )


@bp.route("/prospects/new", methods=["GET", "POST"], endpoint="new")
@login_required
def prospect_new():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return _render_form(None, _form_values(None), {}, 200)
    session = db_session()
    try:
        prospect = create_prospect(session, viewer(), _posted(), zone=zone())
    except ValidationFailed as exc:
        session.rollback()
        return _render_form(None, _posted(), exc.fields, 400)
    session.commit()
    flash("Prospect added.", "info")
    return redirect(url_for("admin.prospects.detail", prospect_id=prospect.id))


@bp.route("/prospects/<int:prospect_id>/edit", methods=["GET", "POST"], endpoint="edit")
@login_required
def prospect_edit(prospect_id: int):  # type: ignore[no-untyped-def]
    prospect = _visible(prospect_id)
    if request.method == "GET":
        return _render_form(prospect, _form_values(prospect), {}, 200)
    session = db_session()
    try:
        update_prospect(session, viewer(), prospect.id, _posted(), zone=zone())
    except ValidationFailed as exc:
        session.rollback()
        return _render_form(_visible(prospect_id), _posted(), exc.fields, 400)
    session.commit()
    flash("Changes saved.", "info")
    try:
        get_visible_prospect(session, viewer(), prospect_id)
    except NotFound:  # handed to another owner the editor cannot see
        return redirect(url_for("admin.prospects.index"))
    return redirect(url_for("admin.prospects.detail", prospect_id=prospect_id))


@bp.route("/prospects/<int:prospect_id>/delete", methods=["GET", "POST"], endpoint="delete")
@login_required
def prospect_delete(prospect_id: int) -> Response | str:
    prospect = _visible(prospect_id)
    if request.method == "GET":
        return render_template("admin/prospects/delete.html", p=prospect)
    session = db_session()
    delete_prospect(session, viewer(), prospect.id)
    session.commit()
    flash(f"Prospect “{prospect.name}” deleted.", "info")
    return redirect(url_for("admin.prospects.index"))
