"""The prospects board: columns per status with the list's filters (in the
URL), "load more" per column, and moves — dragged (``board.js`` posts JSON)
or through each card's "Move to…" form, which works without JavaScript.

Every move goes through ``crm_core.prospects.board.move_card``: the one status
change (history, automatic tasks), and a drop on a "converted" column sends
the person to the prospect's Convert / Allocate flow instead."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from capture.admin.auth import login_required, roles_required, safe_next, viewer
from capture.admin.board import bp
from capture.database import db_session
from capture.instance import zone
from crm_core.clock import today
from crm_core.errors import ConvertInstead, DomainError, NotFound, ValidationFailed
from crm_core.lists.models import Status
from crm_core.permissions import can_manage_settings
from crm_core.prospects.board import (
    CARDS_PER_PAGE,
    card_age_days,
    column_counts,
    column_filter,
    column_page,
    load_board,
    move_card,
    set_board_statuses,
)
from crm_core.prospects.filters import ProspectFilter, parse_filter
from crm_core.prospects.labels import ListSnapshot
from crm_core.users.models import Role


def board_url(flt: ProspectFilter, **extra: str) -> str:
    query = flt.without_sort().to_query(**extra)
    return url_for("admin.board.index") + (f"?{query}" if query else "")


def list_for(flt: ProspectFilter, status_id: int) -> str:
    """The prospects list showing exactly one column's prospects."""
    return url_for("admin.prospects.index") + "?" + column_filter(flt, status_id).without_sort().to_query()


def column_url(flt: ProspectFilter, status_id: int, after: str) -> str:
    query = flt.without_sort().to_query(after=after)
    return url_for("admin.board.column", status_id=status_id) + f"?{query}"


def convert_url(prospect_id: int) -> str:
    """The prospect's Convert / Allocate flow: its own page when the convert
    feature provides one, else the prospect's card (which offers it)."""
    for endpoint in ("admin.prospects.convert", "admin.accounts.convert"):
        try:
            return url_for(endpoint, prospect_id=prospect_id)
        except BuildError:
            continue
    return url_for("admin.prospects.detail", prospect_id=prospect_id) + "#convert"


def initials(name: str) -> str:
    words = [w for w in name.replace("@", " ").replace(".", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def _card_context() -> dict[str, Any]:
    session = db_session()
    local_zone = zone()
    day = today(local_zone)
    return {
        "lists": ListSnapshot.load(session),
        "all_statuses": list(session.scalars(select(Status).order_by(Status.position, Status.id))),
        "age": lambda created_at: card_age_days(created_at, day, local_zone),
        "today": day,
        "initials": initials,
    }


@bp.get("/board", endpoint="index")
@login_required
def board() -> str:
    session = db_session()
    user = viewer()
    flt, errors = parse_filter(request.args)
    columns = load_board(session, user, flt)
    return render_template(
        "admin/board/board.html",
        flt=flt,
        errors=errors,
        columns=columns,
        board_url=board_url,
        column_url=column_url,
        list_for=lambda status_id: list_for(flt, status_id),
        here=board_url(flt),
        list_url=url_for("admin.prospects.index")
        + (f"?{flt.without_sort().to_query()}" if not flt.is_empty else ""),
        can_choose_columns=can_manage_settings(user),
        **_card_context(),
    )


@bp.get("/board/columns/<int:status_id>", endpoint="column")
@login_required
def column(status_id: int) -> Response | str:
    """More cards of one column: a JSON fragment for the board's script, or a
    page of its own when followed as a plain link."""
    session = db_session()
    user = viewer()
    status = session.get(Status, status_id)
    if status is None:
        raise NotFound("That status no longer exists.")
    flt, _errors = parse_filter(request.args)
    page = column_page(session, user, flt, status_id, after=request.args.get("after"), limit=CARDS_PER_PAGE)
    context = _card_context()
    next_url = column_url(flt, status_id, page.next_cursor) if page.next_cursor else None
    here = board_url(flt)
    if request.args.get("partial") == "1":
        html = render_template(
            "admin/board/_cards.html", cards=page.cards, status=status, here=here, **context
        )
        return jsonify(html=html, next=next_url)
    count = column_counts(session, user, flt, [status_id])[status_id]
    return render_template(
        "admin/board/column.html",
        status=status,
        count=count,
        page=page,
        next_url=next_url,
        flt=flt,
        here=here,
        **context,
    )


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def move_answer(
    ok: bool, message: str, status: int, back: str, *, goto: str | None = None, **extra: Any
) -> Response:
    """JSON for the board's script; for a plain form post, a message and a redirect
    (back to the board, or ``goto``)."""
    if _wants_json():
        response = jsonify(ok=ok, message=message, **extra)
        response.status_code = status
        return response
    flash(message, "success" if ok else "error")
    return redirect(goto or back)


@bp.post("/board/move", endpoint="move")
@login_required
def move() -> Response:
    session = db_session()
    back = safe_next(request.form.get("next")) if request.form.get("next") else url_for("admin.board.index")
    raw_id, raw_status = request.form.get("prospect_id", ""), request.form.get("status_id", "")
    if not raw_id.isdigit() or not raw_status.isdigit():
        return move_answer(False, "Choose a status to move the prospect to.", 400, back)
    try:
        prospect = move_card(session, viewer(), int(raw_id), int(raw_status), zone=zone())
    except ConvertInstead as exc:
        session.rollback()
        target = convert_url(exc.prospect_id)
        return move_answer(False, str(exc), 409, back, goto=target, convert_url=target)
    except NotFound:
        session.rollback()
        return move_answer(
            False,
            "This prospect is no longer there (deleted, or given to someone else); it was not moved.",
            404,
            back,
        )
    except ValidationFailed:
        session.rollback()
        return move_answer(False, "That status no longer exists; reload the board.", 400, back)
    except DomainError as exc:
        session.rollback()
        return move_answer(False, str(exc), 409, back)
    session.commit()
    # The relationship may still hold the old status; read the new one by id.
    status = session.get(Status, prospect.status_id) if prospect.status_id else None
    status_name = status.name if status else ""
    return move_answer(
        True, f"“{prospect.name}” moved to {status_name}.", 200, back, status_id=prospect.status_id
    )


@bp.post("/board/statuses", endpoint="statuses")
@roles_required(Role.ADMIN)
def statuses() -> Response:
    """Settings: which statuses get a column."""
    session = db_session()
    back = safe_next(request.form.get("next")) if request.form.get("next") else url_for("admin.board.index")
    chosen = [int(v) for v in request.form.getlist("on_board") if v.isdigit()]
    try:
        set_board_statuses(session, chosen)
    except DomainError as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    session.commit()
    flash("The board's columns are saved.", "success")
    return redirect(back)
