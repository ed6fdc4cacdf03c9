"""The number beside "Tasks" in the navigation: the signed-in user's open
tasks that are overdue or due today, on every admin page. Counted only when a
page's navigation asks for it (not for redirects or JSON), once per request,
by one indexed COUNT (``crm_core.tasks.queries.due_count``)."""

from __future__ import annotations

from flask import g

from capture.admin.auth import current_user
from capture.admin.tasks import bp
from capture.database import db_session
from capture.instance import zone
from crm_core.tasks.queries import due_count


def due_tasks_count() -> int:
    if "due_tasks" not in g:
        user = current_user()
        g.due_tasks = due_count(db_session(), user, zone()) if user is not None else 0
    return int(g.due_tasks)


@bp.app_context_processor
def _nav_count() -> dict[str, object]:
    return {"due_tasks_count": due_tasks_count}
