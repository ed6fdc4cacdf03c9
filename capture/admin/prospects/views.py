"""The prospects list (HTML and JSON), inline status change, bulk actions and
the column chooser. Reading and writing go through crm_core's prospect query
layer, which also decides what the signed-in user may see."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for

from capture.admin.auth import login_required, safe_next, viewer
from capture.admin.prospects import bp
from capture.admin.prospects.bulk_tasks import create_task_on_selected
from capture.admin.prospects.columns import (
    COLUMN_LABELS,
    SORTABLE,
    all_columns_in_order,
    apply_column_form,
    chosen_columns,
    store_columns,
)
from capture.database import db_session
from capture.instance import zone
from crm_core import clock
from crm_core.errors import ValidationFailed
from crm_core.prospects.filters import OWNER_ME, ProspectFilter, parse_filter
from crm_core.prospects.labels import ListSnapshot
from crm_core.prospects.queries import (
    COUNT_CAP,
    PAGE_SIZE,
    ProspectPage,
    count_matching,
    list_page,
)
from crm_core.prospects.saved_filters import list_saved_filters
from crm_core.prospects.schemas import TASKS_OVERDUE
from crm_core.prospects.services import MAX_BULK, bulk_delete, bulk_update
from crm_core.prospects.status import change_status
from crm_core.prospects.visibility import visible_names
from crm_core.users.models import User


def _page_size() -> int:
    raw = request.args.get("limit", "")
    return max(10, min(int(raw), 200)) if raw.isdigit() else PAGE_SIZE


def _list_url(endpoint: str, flt: ProspectFilter, **extra: str) -> str:
    limit = request.args.get("limit", "")
    query = flt.to_query(**extra, **({"limit": limit} if limit.isdigit() else {}))
    return url_for(endpoint) + (f"?{query}" if query else "")


def _current_page() -> tuple[ProspectFilter, dict[str, list[str]], ProspectPage]:
    flt, errors = parse_filter(request.args)
    page = list_page(
        db_session(),
        viewer(),
        flt,
        after=request.args.get("after"),
        before=request.args.get("before"),
        limit=_page_size(),
        today=clock.today(zone()),
    )
    return flt, errors, page


def _quick_filters(flt: ProspectFilter) -> list[tuple[str, str, bool]]:
    """One-click refinements of the current view: (label, url, active)."""
    today = datetime.now(UTC).date()
    week_start = today - timedelta(days=today.weekday())
    options = [
        ("Mine", replace(flt, owner=(OWNER_ME,))),
        ("Created today", replace(flt, created_from=today, created_to=None)),
        ("Created this week", replace(flt, created_from=week_start, created_to=None)),
        ("Created this month", replace(flt, created_from=today.replace(day=1), created_to=None)),
        ("Overdue tasks", replace(flt, tasks=TASKS_OVERDUE)),
    ]
    return [(label, _list_url("admin.prospects.index", option), option == flt) for label, option in options]


@bp.get("/", endpoint="index")
@login_required
def prospects() -> str:
    flt, errors, page = _current_page()
    session = db_session()
    user = viewer()
    columns = chosen_columns(request, user.id)
    return render_template(
        "admin/prospects/list.html",
        flt=flt,
        errors=errors,
        page=page,
        total=count_matching(session, user, flt, today=clock.today(zone())),
        zone=zone(),
        today=clock.today(zone()),
        count_cap=COUNT_CAP,
        lists=ListSnapshot.load(session),
        columns=columns,
        column_labels=COLUMN_LABELS,
        all_columns=all_columns_in_order(columns),
        sortable=SORTABLE,
        saved_filters=list_saved_filters(session, user),
        quick_filters=_quick_filters(flt),
        list_url=lambda f, **extra: _list_url("admin.prospects.index", f, **extra),
        here=request.full_path.rstrip("?"),
        json_url=_list_url(
            "admin.prospects.json_list",
            flt,
            after=request.args.get("after", ""),
            before=request.args.get("before", ""),
        ),
    )


@bp.get("/prospects.json", endpoint="json_list")
@login_required
def prospects_json() -> Response:
    flt, errors, page = _current_page()
    session = db_session()
    total = count_matching(session, viewer(), flt, today=clock.today(zone()))
    lists = ListSnapshot.load(session)

    def link(**cursor: str | None) -> str | None:
        key, value = next(iter(cursor.items()))
        return _list_url("admin.prospects.json_list", flt, **{key: value}) if value else None

    return jsonify(
        items=[lists.row_dict(row) for row in page.rows],
        total={"value": total.value, "kind": total.kind, "label": total.label()},
        next=link(after=page.next_cursor),
        prev=link(before=page.prev_cursor),
        next_cursor=page.next_cursor,
        prev_cursor=page.prev_cursor,
        errors=errors,
    )


@bp.post("/prospects/status", endpoint="set_status")
@login_required
def prospect_status() -> Response:
    """Inline status change: the list posts every row's status select; the
    pressed button (``prospect_id``) says which row to apply."""
    session = db_session()
    raw_id = request.form.get("prospect_id", "")
    raw_status = request.form.get(f"status_{raw_id}", "")
    if not raw_id.isdigit():
        abort(400)
    try:
        change_status(
            session, viewer(), int(raw_id), int(raw_status) if raw_status.isdigit() else 0, zone=zone()
        )
    except ValidationFailed:
        flash("Choose a status from the list.", "error")
        return redirect(safe_next(request.form.get("next")))
    session.commit()
    return redirect(safe_next(request.form.get("next")))


def _selected_ids() -> list[int]:
    return [int(v) for v in request.form.getlist("ids") if v.isdigit()][:MAX_BULK]


def _optional_id(name: str) -> int | None:
    raw = request.form.get(name, "")
    return int(raw) if raw.isdigit() else None


@bp.post("/prospects/bulk", endpoint="bulk")
@login_required
def prospects_bulk() -> Response | str:
    session = db_session()
    user = viewer()
    ids = _selected_ids()
    action = request.form.get("action", "")
    back = safe_next(request.form.get("next"))
    if not ids:
        flash("Select at least one prospect first.", "error")
        return redirect(back)
    try:
        if action == "status":
            changed = bulk_update(session, user, ids, "status_id", _optional_id("status_id"), zone=zone())
            message = f"Status changed on {changed} prospect(s)."
        elif action == "owner":
            changed = bulk_update(session, user, ids, "owner_id", _optional_id("owner_id"))
            message = f"Owner changed on {changed} prospect(s)."
        elif action == "task":
            return create_task_on_selected(user, ids, back)
        elif action == "delete":
            if request.form.get("confirm") != "yes":
                return _confirm_bulk_delete(user, ids, back)
            message = f"Deleted {bulk_delete(session, user, ids)} prospect(s)."
        else:
            flash("Choose an action.", "error")
            return redirect(back)
    except ValidationFailed:
        flash("Choose a value from the list.", "error")
        return redirect(back)
    session.commit()
    flash(message, "info")
    return redirect(back)


def _confirm_bulk_delete(user: User, ids: list[int], back: str) -> str:
    rows = visible_names(db_session(), user, ids)
    return render_template("admin/prospects/bulk_delete.html", rows=rows, back=back)


@bp.post("/prospects/columns", endpoint="columns")
@login_required
def prospect_columns() -> Response:
    columns = apply_column_form(
        request.form.getlist("order"), request.form.getlist("columns"), request.form.get("move")
    )
    response = redirect(safe_next(request.form.get("next")))
    store_columns(response, viewer().id, columns, secure=request.is_secure)
    return response
