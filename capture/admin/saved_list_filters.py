"""Saved filters for the accounts and offers lists, as the prospects list has
them: save the current view under a name, reuse it, delete it. One pair of
routes per list, registered on its blueprint."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Response, flash, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from capture.admin.auth import login_required, viewer
from capture.database import db_session
from crm_core.errors import ValidationFailed
from crm_core.prospects.saved_filters import delete_saved_filter, list_saved_filters, save_filter


def saved_filters_of(list_name: str) -> list[Any]:
    return list_saved_filters(db_session(), viewer(), list_name)


def add_saved_filter_routes(
    bp: Blueprint, list_name: str, index_endpoint: str, parse: Callable[[Mapping[str, Any]], Any]
) -> None:
    """``POST /<list>/saved-filters`` (endpoint ``save_filter``) and
    ``POST /<list>/saved-filters/<id>/delete`` (``delete_filter``) on ``bp``."""

    @bp.post(f"/{list_name}/saved-filters", endpoint="save_filter")
    @login_required
    def saved_filter_create() -> Response:
        # Re-parsed, so only a valid, normalised filter is stored.
        flt = parse(MultiDict(parse_qsl(request.form.get("query", ""))))
        session = db_session()
        query = flt.to_query()
        try:
            save_filter(session, viewer(), request.form.get("name", ""), flt, list_name)
        except ValidationFailed as exc:
            session.rollback()
            flash(" ".join(m for msgs in exc.fields.values() for m in msgs), "error")
        else:
            session.commit()
            flash("Filter saved.", "success")
        return redirect(url_for(index_endpoint) + (f"?{query}" if query else ""))

    @bp.post(f"/{list_name}/saved-filters/<int:filter_id>/delete", endpoint="delete_filter")
    @login_required
    def saved_filter_delete(filter_id: int) -> Response:
        session = db_session()
        delete_saved_filter(session, viewer(), filter_id, list_name)
        session.commit()
        flash("Saved filter deleted.", "success")
        return redirect(url_for(index_endpoint))
