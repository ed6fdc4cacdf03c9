"""The task panel on a prospect's card: quick add (name, due date, owner — me
unless changed —, priority), complete, reopen. The Tasks page and the full
task form are the ``tasks`` feature's; these routes only serve the card."""

from __future__ import annotations

from flask import flash, redirect, request
from werkzeug.wrappers import Response

from capture.admin.auth import login_required, viewer
from capture.admin.prospects import bp
from capture.admin.prospects.card import card_url, check_on_prospect, render_card
from capture.admin.record_card import failed, posted
from capture.database import db_session
from crm_core.errors import ValidationFailed
from crm_core.parents import Parent
from crm_core.prospects.visibility import get_visible_prospect
from crm_core.tasks.models import TaskStatus
from crm_core.tasks.queries import get_visible_task
from crm_core.tasks.services import create_task, set_task_status

# Only what the quick-add form has: a crafted post cannot set, say, a status.
QUICK_FIELDS = ("name", "due_date", "owner_id", "priority_id")


@bp.post("/prospects/<int:prospect_id>/tasks", endpoint="task_add")
@login_required
def task_add(prospect_id: int) -> Response | tuple[str, int]:
    session = db_session()
    values = {key: value for key, value in posted(request.form).items() if key in QUICK_FIELDS}
    try:
        task = create_task(session, viewer(), Parent.prospect(prospect_id), values)
    except ValidationFailed as exc:
        session.rollback()
        return render_card(prospect_id, form="task", state=failed(values, exc.fields), status=400)
    session.commit()
    flash(f"Task “{task.name}” added.", "info")
    return redirect(card_url(prospect_id, "tasks"))


def _set_status(prospect_id: int, task_id: int, status: TaskStatus, done: str) -> Response:
    session = db_session()
    get_visible_prospect(session, viewer(), prospect_id)
    task = get_visible_task(session, viewer(), task_id)
    check_on_prospect(task.parent, prospect_id)
    set_task_status(session, viewer(), task.id, status)
    session.commit()
    flash(f"Task “{task.name}” {done}.", "info")
    return redirect(card_url(prospect_id, "tasks"))


@bp.post("/prospects/<int:prospect_id>/tasks/<int:task_id>/complete", endpoint="task_complete")
@login_required
def task_complete(prospect_id: int, task_id: int) -> Response:
    return _set_status(prospect_id, task_id, TaskStatus.DONE, "done")


@bp.post("/prospects/<int:prospect_id>/tasks/<int:task_id>/reopen", endpoint="task_reopen")
@login_required
def task_reopen(prospect_id: int, task_id: int) -> Response:
    return _set_status(prospect_id, task_id, TaskStatus.OPEN, "reopened")
