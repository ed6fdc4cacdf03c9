"""Mass task creation from the prospects list (the Lithuanian CRM's "create a
task for the selected"): the bulk bar's "Create task…" opens a form for the
selected rows; sending it puts one identical task on each of them, assigned to
each prospect's owner or to one chosen user (``create_tasks_on_prospects``).

Both steps post to the list's bulk endpoint (``action=task``), so the selection
travels as the same ``ids`` fields as the other bulk actions."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from werkzeug.wrappers import Response

from capture.database import db_session
from crm_core.errors import ValidationFailed
from crm_core.prospects.labels import ListSnapshot
from crm_core.prospects.visibility import visible_names
from crm_core.tasks.services import create_tasks_on_prospects
from crm_core.users.models import User

TASK_FIELDS = ("name", "description", "due_date", "priority_id", "owner_id")
ASSIGN_OWNERS = "owners"
ASSIGN_USER = "user"


def create_task_on_selected(user: User, ids: list[int], back: str) -> Response | tuple[str, int]:
    """The form for the selection (first step), or the tasks (``step=create``)."""
    if request.form.get("step") != "create":
        return _form(user, ids, back, {"assign": ASSIGN_OWNERS, "owner_id": str(user.id)}, {}, 200)
    values = {name: request.form.get(name, "") for name in (*TASK_FIELDS, "assign")}
    session = db_session()
    try:
        tasks = create_tasks_on_prospects(
            session,
            user,
            ids,
            {name: values[name] for name in TASK_FIELDS},
            assign_to_owners=values["assign"] != ASSIGN_USER,
        )
    except ValidationFailed as exc:
        session.rollback()
        return _form(user, ids, back, values, exc.fields, 400)
    session.commit()
    if tasks:
        count = len(tasks)
        flash(f"Task “{tasks[0].name}” created on {count} prospect{'' if count == 1 else 's'}.", "info")
    else:
        flash("None of the selected prospects is yours to add a task to.", "error")
    return redirect(back)


def _form(
    user: User,
    ids: list[int],
    back: str,
    values: dict[str, str],
    errors: dict[str, list[str]],
    status: int,
) -> tuple[str, int]:
    session = db_session()
    page = render_template(
        "admin/prospects/bulk_task.html",
        rows=visible_names(session, user, ids),
        back=back,
        values=values,
        errors=errors,
        lists=ListSnapshot.load(session),
    )
    return page, status
