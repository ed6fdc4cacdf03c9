"""Tasks: the Tasks page (mine, or a chosen user's or everyone's for admins and
marketing) grouped overdue / today / upcoming / no date, completing and
rescheduling from the list, one task's add / edit / delete, and the count of
the signed-in user's overdue and today tasks beside "Tasks" in the navigation."""

from flask import Blueprint

bp = Blueprint("tasks", __name__)

from capture.admin.tasks import editing, navigation, views  # noqa: E402, F401 (register the routes on bp)

__all__ = ["bp"]
