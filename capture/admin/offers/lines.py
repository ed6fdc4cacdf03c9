"""An offer's lines: add one from the catalogue (its name, unit and price are
copied) or a free one, change a line's quantity, price or discount, remove
one. The offer's total is recomputed by ``crm_core.offers.services``."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for

from capture.admin.auth import login_required, viewer
from capture.admin.offers import bp
from capture.admin.offers.amounts import line_input
from capture.admin.offers.views import render_offer
from capture.database import db_session
from crm_core.errors import ValidationFailed
from crm_core.offers.services import add_line, remove_line, update_line
from crm_core.offers.visibility import get_visible_offer

NEW_LINE_FIELDS = ("product_id", "name", "unit", "quantity", "unit_price", "discount_pct")
EDIT_LINE_FIELDS = ("name", "unit", "quantity", "unit_price", "discount_pct")


def _posted(names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.form[name] for name in names if name in request.form}


def _back(offer_id: int) -> Response:
    return redirect(url_for("admin.offers.detail", offer_id=offer_id) + "#lines")


@bp.post("/offers/<int:offer_id>/lines", endpoint="add_line")
@login_required
def line_add(offer_id: int) -> Response | tuple[str, int]:
    session = db_session()
    offer = get_visible_offer(session, viewer(), offer_id)
    typed = _posted(NEW_LINE_FIELDS)
    try:
        line = add_line(session, viewer(), offer.id, line_input(typed))
    except ValidationFailed as exc:
        session.rollback()
        offer = get_visible_offer(session, viewer(), offer_id)
        return render_offer(offer, line_errors=exc.fields, line_values=typed, status=400)
    session.commit()
    flash(f"Line “{line.name}” added.", "success")
    return _back(offer_id)


@bp.post("/offers/<int:offer_id>/lines/<int:line_id>", endpoint="update_line")
@login_required
def line_update(offer_id: int, line_id: int) -> Response | tuple[str, int]:
    session = db_session()
    offer = get_visible_offer(session, viewer(), offer_id)
    typed = _posted(EDIT_LINE_FIELDS)
    try:
        line = update_line(session, viewer(), offer.id, line_id, line_input(typed))
    except ValidationFailed as exc:
        session.rollback()
        offer = get_visible_offer(session, viewer(), offer_id)
        return render_offer(offer, line_errors=exc.fields, line_values=typed, failed_line=line_id, status=400)
    session.commit()
    flash(f"Line “{line.name}” saved.", "success")
    return _back(offer_id)


@bp.post("/offers/<int:offer_id>/lines/<int:line_id>/delete", endpoint="remove_line")
@login_required
def line_remove(offer_id: int, line_id: int) -> Response:
    session = db_session()
    offer = get_visible_offer(session, viewer(), offer_id)
    remove_line(session, viewer(), offer.id, line_id)
    session.commit()
    flash("Line removed.", "success")
    return _back(offer_id)
