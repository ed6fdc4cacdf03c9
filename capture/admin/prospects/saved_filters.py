"""Saving, reusing and deleting a user's named prospect filters."""

from __future__ import annotations

from urllib.parse import parse_qs

from flask import Response, flash, redirect, request, url_for

from capture.admin.auth import login_required, viewer
from capture.admin.prospects import bp
from capture.database import db_session
from crm_core.errors import ValidationFailed
from crm_core.prospects.filters import parse_filter
from crm_core.prospects.saved_filters import delete_saved_filter, save_filter


@bp.post("/saved-filters", endpoint="save_filter")
@login_required
def saved_filter_create() -> Response:
    # The query is re-parsed, so only a valid, normalised filter is stored.
    flt, _errors = parse_filter(parse_qs(request.form.get("query", "")))
    session = db_session()
    query = flt.to_query()
    try:
        save_filter(session, viewer(), request.form.get("name", ""), flt)
    except ValidationFailed as exc:
        session.rollback()
        flash(" ".join(m for msgs in exc.fields.values() for m in msgs), "error")
    else:
        session.commit()
        flash("Filter saved.", "info")
    return redirect(url_for("admin.prospects.index") + (f"?{query}" if query else ""))


@bp.post("/saved-filters/<int:filter_id>/delete", endpoint="delete_filter")
@login_required
def saved_filter_delete(filter_id: int) -> Response:
    session = db_session()
    delete_saved_filter(session, viewer(), filter_id)
    session.commit()
    flash("Saved filter deleted.", "info")
    return redirect(url_for("admin.prospects.index"))
