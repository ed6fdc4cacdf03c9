"""The Tasks page and what it does without a page of its own: complete (or
reopen) and reschedule a task from the list, each a small POST form that
comes back to the list it was sent from."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from capture.admin.auth import login_required, safe_next, viewer
from capture.admin.tasks import bp
from capture.database import db_session
from capture.instance import zone
from crm_core import clock
from crm_core.errors import ValidationFailed
from crm_core.permissions import can_see_all_tasks
from crm_core.tasks.models import TaskStatus
from crm_core.tasks.queries import GROUP_LIMIT, GROUP_MAX, GROUPS, parent_names, tasks_page
from crm_core.tasks.services import reschedule_task, set_task_status
from crm_core.users.models import User

OWNER_ME = "me"
OWNER_ALL = "all"
STATUS_LABELS = {
    TaskStatus.OPEN: "Open",
    TaskStatus.IN_PROGRESS: "In progress",
    TaskStatus.DONE: "Done",
    TaskStatus.CANCELLED: "Cancelled",
}


def back_to(target: str | None) -> str:
    """Where a task form or action returns: a same-site ``next``, else the Tasks page."""
    if target and safe_next(target) == target:
        return target
    return url_for("admin.tasks.index")


def _whose(user: User) -> tuple[list[int] | None, str]:
    """The owners to list (``None``: everyone) and the picker's value. Sales
    always see their own: the picker is not theirs, and a crafted ``owner`` is ignored."""
    raw = request.args.get("owner", OWNER_ME)
    if not can_see_all_tasks(user) or raw == OWNER_ME:
        return [user.id], OWNER_ME
    if raw == OWNER_ALL:
        return None, OWNER_ALL
    if raw.isdigit():
        return [int(raw)], raw
    return [user.id], OWNER_ME


def _limits() -> dict[str, int]:
    """``?overdue=100``: show that many of a group ("show more")."""
    return {
        key: min(int(request.args[key]), GROUP_MAX)
        for key in GROUPS
        if request.args.get(key, "").isdigit() and int(request.args[key]) > 0
    }


def _more_url(key: str, shown: int) -> str:
    args = {name: value for name, value in request.args.items() if name != key}
    return url_for("admin.tasks.index", **args, **{key: str(shown + GROUP_LIMIT)}) + f"#group-{key}"


@bp.get("/tasks", endpoint="index")
@login_required
def tasks_index() -> str:
    user = viewer()
    session = db_session()
    owner_ids, whose = _whose(user)
    include_done = request.args.get("done") == "1"
    groups = tasks_page(session, owner_ids, zone(), include_done=include_done, limits=_limits())
    can_pick = can_see_all_tasks(user)
    users = (
        list(session.scalars(select(User).where(User.active).order_by(User.name, User.email)))
        if can_pick
        else []
    )
    named = {str(u.id): u.display_name for u in users}
    if whose == OWNER_ME:
        heading = "Your tasks"
    elif whose == OWNER_ALL:
        heading = "Everyone's tasks"
    else:
        heading = f"Tasks of {named.get(whose, 'a user no longer active')}"
    return render_template(
        "admin/tasks/index.html",
        groups=groups,
        parents=parent_names(session, user, (t for g in groups for t in g.tasks)),
        can_pick=can_pick,
        users=users,
        whose=whose,
        heading=heading,
        include_done=include_done,
        today=clock.today(zone()),
        status_labels=STATUS_LABELS,
        more_url=_more_url,
        here=request.full_path.rstrip("?"),
    )


@bp.post("/tasks/<int:task_id>/status", endpoint="set_status")
@login_required
def task_status(task_id: int) -> Response:
    raw = request.form.get("status", "")
    if raw not in {s.value for s in TaskStatus}:
        raise ValidationFailed({"status": ["Choose open, in progress, done or cancelled."]})
    session = db_session()
    task = set_task_status(session, viewer(), task_id, TaskStatus(raw))
    session.commit()
    if task.status == TaskStatus.DONE:
        flash(f"Done: “{task.name}”.", "success")
    else:
        flash(f"“{task.name}” is {STATUS_LABELS[task.status].lower()}.", "info")
    return redirect(back_to(request.form.get("next")))


@bp.post("/tasks/<int:task_id>/reschedule", endpoint="reschedule")
@login_required
def task_reschedule(task_id: int) -> Response:
    session = db_session()
    back = back_to(request.form.get("next"))
    try:
        task = reschedule_task(session, viewer(), task_id, request.form)
    except ValidationFailed as exc:
        session.rollback()
        flash(" ".join(m for messages in exc.fields.values() for m in messages), "error")
        return redirect(back)
    session.commit()
    if task.due_date is None:
        flash(f"“{task.name}” no longer has a due date.", "info")
    else:
        at = f" at {task.due_time.strftime('%H:%M')}" if task.due_time else ""
        flash(f"“{task.name}” is now due on {task.due_date.isoformat()}{at}.", "info")
    return redirect(back)
