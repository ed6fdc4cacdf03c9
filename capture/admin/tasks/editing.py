"""One task's pages: add (on a prospect, ``?prospect=<id>``, or independent),
edit (delegating is picking another owner), delete with confirmation. Each
returns to ``next`` (the card or the list it came from) when that is a
same-site path, else to the Tasks page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from capture.admin.auth import login_required, viewer
from capture.admin.tasks import bp
from capture.admin.tasks.views import STATUS_LABELS, back_to
from capture.database import db_session
from crm_core.errors import NotFound, ValidationFailed
from crm_core.parents import Parent
from crm_core.prospects.labels import ListSnapshot
from crm_core.prospects.models import Prospect
from crm_core.prospects.visibility import get_visible_prospect
from crm_core.tasks.models import Task
from crm_core.tasks.queries import get_visible_task, parent_names
from crm_core.tasks.services import create_task, delete_task, update_task

FIELDS = ("name", "description", "start_date", "due_date", "due_time", "priority_id", "owner_id", "status")


def _values_of(task: Task) -> dict[str, str]:
    return {
        "name": task.name,
        "description": task.description,
        "start_date": task.start_date.isoformat() if task.start_date else "",
        "due_date": task.due_date.isoformat() if task.due_date else "",
        "due_time": task.due_time.strftime("%H:%M") if task.due_time else "",
        "priority_id": str(task.priority_id or ""),
        "owner_id": str(task.owner_id or ""),
        "status": task.status.value,
    }


def _posted() -> dict[str, str]:
    return {name: request.form.get(name, "") for name in FIELDS}


def _render(
    task: Task | None,
    prospect: Prospect | None,
    values: Mapping[str, Any],
    errors: dict[str, list[str]],
    status: int,
    parent_name: str = "",
    parent_link: bool = False,
    parent_kind: str = "prospect",
) -> tuple[str, int]:
    page = render_template(
        "admin/tasks/form.html",
        task=task,
        prospect=prospect,
        parent_name=parent_name,
        parent_link=parent_link,
        parent_kind=parent_kind,
        values=values,
        errors=errors,
        lists=ListSnapshot.load(db_session()),
        status_labels=STATUS_LABELS,
        next_url=request.values.get("next", ""),
        back=back_to(request.values.get("next")),
    )
    return page, status


def _preset_prospect() -> Prospect | None:
    """``?prospect=<id>`` (or the form's hidden field): a prospect the user may see, or 404."""
    raw = request.values.get("prospect", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        abort(404)
    return get_visible_prospect(db_session(), viewer(), int(raw))


@bp.route("/tasks/new", methods=["GET", "POST"], endpoint="new")
@login_required
def task_new() -> Response | tuple[str, int]:
    user = viewer()
    prospect = _preset_prospect()
    name = prospect.name if prospect else ""
    if request.method == "GET":
        return _render(None, prospect, {"owner_id": str(user.id)}, {}, 200, name, prospect is not None)
    session = db_session()
    parent = Parent.prospect(prospect.id) if prospect else None
    try:
        task = create_task(session, user, parent, request.form)
    except ValidationFailed as exc:
        session.rollback()
        return _render(None, _preset_prospect(), _posted(), exc.fields, 400, name, prospect is not None)
    session.commit()
    delegated = f" for {task.owner.display_name}" if task.owner and task.owner_id != user.id else ""
    flash(f"Task “{task.name}” added{delegated}.", "success")
    return redirect(back_to(request.form.get("next")))


def _parent_label(task: Task) -> tuple[str, bool, str]:
    """The name of the task's prospect, account or offer, whether the viewer may open it, and its kind."""
    names = parent_names(db_session(), viewer(), [task])
    label = names.get((task.parent_type, task.parent_id)) if task.parent_type and task.parent_id else None
    return (label.name, label.can_open, label.type.value) if label else ("", False, "prospect")


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"], endpoint="edit")
@login_required
def task_edit(task_id: int) -> Response | tuple[str, int]:
    user = viewer()
    session = db_session()
    task = get_visible_task(session, user, task_id)
    name, can_open, kind = _parent_label(task)
    if request.method == "GET":
        return _render(task, None, _values_of(task), {}, 200, name, can_open, kind)
    try:
        task = update_task(session, user, task_id, request.form)
    except ValidationFailed as exc:
        session.rollback()
        task = get_visible_task(session, user, task_id)
        return _render(task, None, _posted(), exc.fields, 400, name, can_open, kind)
    session.commit()
    flash(f"Task “{task.name}” saved.", "success")
    try:
        get_visible_task(session, user, task_id)
    except NotFound:  # delegated to someone else, on a prospect the editor does not own
        flash("It is no longer on your list.", "info")
        return redirect(url_for("admin.tasks.index"))
    return redirect(back_to(request.form.get("next")))


@bp.route("/tasks/<int:task_id>/delete", methods=["GET", "POST"], endpoint="delete")
@login_required
def task_delete(task_id: int) -> Response | str:
    user = viewer()
    session = db_session()
    task = get_visible_task(session, user, task_id)
    if request.method == "GET":
        name, _, kind = _parent_label(task)
        return render_template(
            "admin/tasks/delete.html",
            task=task,
            parent_name=name,
            parent_kind=kind,
            next_url=request.args.get("next", ""),
            back=back_to(request.args.get("next")),
        )
    deleted_name = task.name
    delete_task(session, user, task_id)
    session.commit()
    flash(f"Task “{deleted_name}” deleted.", "success")
    return redirect(back_to(request.form.get("next")))
