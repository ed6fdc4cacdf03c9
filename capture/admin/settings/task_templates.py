"""Settings → Task templates (admins only): per status, the tasks a prospect
gets whenever it enters that status (name, description, due in N days,
priority, and who gets it: the prospect's owner or a fixed user). The rule
itself runs in ``crm_core.tasks.automation`` for every path a status changes by."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from capture.admin.auth import roles_required
from capture.admin.settings import bp
from capture.database import db_session
from crm_core.errors import ValidationFailed
from crm_core.lists.kinds import KINDS
from crm_core.permissions import SETTINGS_MANAGERS
from crm_core.prospects.labels import ListSnapshot
from crm_core.tasks.automation import (
    add_template,
    delete_template,
    get_template,
    list_templates,
    update_template,
)
from crm_core.tasks.models import TaskTemplate

FIELDS = ("status_id", "name", "description", "due_in_days", "priority_id", "assign_to", "user_id")


@bp.get("/settings/task-templates", endpoint="task_templates")
@roles_required(*SETTINGS_MANAGERS)
def task_templates() -> str:
    session = db_session()
    by_status: dict[int, list[TaskTemplate]] = {}
    for template in list_templates(session):
        by_status.setdefault(template.status_id, []).append(template)
    return render_template(
        "admin/settings/task_templates.html",
        kinds=KINDS,
        kind=None,
        lists=ListSnapshot.load(session),
        by_status=by_status,
    )


def _values_of(template: TaskTemplate) -> dict[str, str]:
    return {
        "status_id": str(template.status_id),
        "name": template.name,
        "description": template.description,
        "due_in_days": str(template.due_in_days),
        "priority_id": str(template.priority_id or ""),
        "assign_to": template.assign_to.value,
        "user_id": str(template.user_id or ""),
    }


def _posted() -> dict[str, str]:
    """The fields filled in; an empty one takes its default (an empty "due in" is 0 days)."""
    return {name: value for name in FIELDS if (value := request.form.get(name, "").strip())}


def _form(
    template: TaskTemplate | None, values: Mapping[str, Any], errors: dict[str, list[str]], status: int
) -> tuple[str, int]:
    page = render_template(
        "admin/settings/task_template_form.html",
        kinds=KINDS,
        kind=None,
        template=template,
        values=values,
        errors=errors,
        lists=ListSnapshot.load(db_session()),
    )
    return page, status


def _back() -> Response:
    return redirect(url_for("admin.settings.task_templates"))


@bp.route("/settings/task-templates/new", methods=["GET", "POST"], endpoint="task_template_new")
@roles_required(*SETTINGS_MANAGERS)
def task_template_new() -> Response | tuple[str, int]:
    if request.method == "GET":
        preset = {"status_id": request.args.get("status", ""), "due_in_days": "0", "assign_to": "owner"}
        return _form(None, preset, {}, 200)
    session = db_session()
    try:
        template = add_template(session, _posted())
    except ValidationFailed as exc:
        session.rollback()
        return _form(None, _posted(), exc.fields, 400)
    session.commit()
    flash(f"Task template “{template.name}” added.", "success")
    return _back()


@bp.route(
    "/settings/task-templates/<int:template_id>", methods=["GET", "POST"], endpoint="task_template_edit"
)
@roles_required(*SETTINGS_MANAGERS)
def task_template_edit(template_id: int) -> Response | tuple[str, int]:
    session = db_session()
    template = get_template(session, template_id)
    if request.method == "GET":
        return _form(template, _values_of(template), {}, 200)
    try:
        template = update_template(session, template_id, _posted())
    except ValidationFailed as exc:
        session.rollback()
        return _form(get_template(session, template_id), _posted(), exc.fields, 400)
    session.commit()
    flash(f"Task template “{template.name}” saved.", "success")
    return _back()


@bp.route(
    "/settings/task-templates/<int:template_id>/delete",
    methods=["GET", "POST"],
    endpoint="task_template_delete",
)
@roles_required(*SETTINGS_MANAGERS)
def task_template_delete(template_id: int) -> Response | str:
    session = db_session()
    template = get_template(session, template_id)
    if request.method == "GET":
        lists = ListSnapshot.load(session)
        return render_template(
            "admin/settings/task_template_delete.html",
            kinds=KINDS,
            kind=None,
            template=template,
            status=lists.statuses.get(template.status_id),
        )
    name = template.name
    delete_template(session, template_id)
    session.commit()
    flash(f"Task template “{name}” deleted. The tasks it created stay.", "success")
    return _back()
