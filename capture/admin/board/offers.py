"""The offers board: a column per offer status with its count, the sum of
its totals and the probability-weighted sum per currency; cards in pages;
moves through ``set_offer_status`` (drag, or "Move to…" without JavaScript)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, jsonify, render_template, request, url_for
from sqlalchemy import select

from capture.admin.auth import login_required, safe_next, viewer
from capture.admin.board import bp
from capture.admin.board.views import initials, move_answer
from capture.database import db_session
from crm_core.errors import DomainError, NotFound, ValidationFailed
from crm_core.lists.models import OfferStatus
from crm_core.offers.board import CARDS_PER_PAGE, load_offer_board, move_offer, offer_column_page
from crm_core.offers.queries import OfferFilter, parse_offer_filter
from crm_core.prospects.labels import ListSnapshot


def _query(flt: OfferFilter, **extra: str) -> str:
    items: list[tuple[str, str]] = []
    if flt.q:
        items.append(("q", flt.q))
    items += [("owner", o) for o in flt.owner]
    if flt.currency:
        items.append(("currency", flt.currency))
    items += [(k, v) for k, v in extra.items() if v]
    return urlencode(items)


def offers_board_url(flt: OfferFilter) -> str:
    query = _query(flt)
    return url_for("admin.board.offers") + (f"?{query}" if query else "")


def offer_column_url(flt: OfferFilter, status_id: int, after: str) -> str:
    return url_for("admin.board.offer_column", offer_status_id=status_id) + "?" + _query(flt, after=after)


def _context() -> dict[str, object]:
    session = db_session()
    return {
        "lists": ListSnapshot.load(session),
        "offer_statuses": list(
            session.scalars(select(OfferStatus).order_by(OfferStatus.position, OfferStatus.id))
        ),
        "initials": initials,
    }


@bp.get("/board/offers", endpoint="offers")
@login_required
def offers_board() -> str:
    flt = parse_offer_filter(request.args)
    columns = load_offer_board(db_session(), viewer(), flt)
    return render_template(
        "admin/board/offers.html",
        flt=flt,
        columns=columns,
        here=offers_board_url(flt),
        column_url=offer_column_url,
        **_context(),
    )


@bp.get("/board/offers/columns/<int:offer_status_id>", endpoint="offer_column")
@login_required
def offer_column(offer_status_id: int) -> Response | str:
    session = db_session()
    status = session.get(OfferStatus, offer_status_id)
    if status is None:
        raise NotFound("That offer status no longer exists.")
    flt = parse_offer_filter(request.args)
    page = offer_column_page(
        session, viewer(), flt, offer_status_id, after=request.args.get("after"), limit=CARDS_PER_PAGE
    )
    next_url = offer_column_url(flt, offer_status_id, page.next_cursor) if page.next_cursor else None
    context = _context()
    here = offers_board_url(flt)
    if request.args.get("partial") == "1":
        html = render_template("admin/board/_offer_cards.html", cards=page.cards, here=here, **context)
        return jsonify(html=html, next=next_url)
    return render_template(
        "admin/board/offer_column.html", status=status, page=page, next_url=next_url, here=here, **context
    )


@bp.post("/board/offers/move", endpoint="offer_move")
@login_required
def offer_move() -> Response:
    session = db_session()
    back = safe_next(request.form.get("next")) if request.form.get("next") else url_for("admin.board.offers")
    raw_id, raw_status = request.form.get("offer_id", ""), request.form.get("status_id", "")
    if not raw_id.isdigit() or not raw_status.isdigit():
        return move_answer(False, "Choose a status to move the offer to.", 400, back)
    try:
        offer = move_offer(session, viewer(), int(raw_id), int(raw_status))
    except NotFound:
        session.rollback()
        return move_answer(
            False, "This offer is no longer there (deleted meanwhile?); it was not moved.", 404, back
        )
    except ValidationFailed:
        session.rollback()
        return move_answer(False, "That offer status no longer exists; reload the board.", 400, back)
    except DomainError as exc:
        session.rollback()
        return move_answer(False, str(exc), 409, back)
    session.commit()
    status = session.get(OfferStatus, offer.status_id) if offer.status_id else None
    name = status.name if status else ""
    return move_answer(True, f"“{offer.name}” moved to {name}.", 200, back, status_id=offer.status_id)
