"""One prospect: detail with capture metadata and history, add, edit, delete."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from capture.admin.auth import login_required, viewer
from capture.admin.prospects import bp
from capture.database import db_session
from capture.instance import zone
from crm_core.errors import NotFound, ValidationFailed
from crm_core.prospects.history import history
from crm_core.prospects.labels import FIELD_LABELS, ListSnapshot
from crm_core.prospects.models import Prospect
from crm_core.prospects.queries import find_duplicates
from crm_core.prospects.schemas import EDITABLE_FIELDS
from crm_core.prospects.services import create_prospect, delete_prospect, update_prospect
from crm_core.prospects.visibility import get_visible_prospect
from crm_core.users.models import Role


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
def prospect_detail(prospect_id: int) -> str:
    prospect = _visible(prospect_id)
    session = db_session()
    return render_template(
        "admin/prospects/detail.html",
        p=prospect,
        labels=FIELD_LABELS,
        history=history(session, prospect.id),
        duplicates=find_duplicates(session, viewer(), prospect),
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
