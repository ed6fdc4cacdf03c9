"""Tasks: on a record — ``/{prospects|accounts|offers}/{id}/tasks`` — or
independent (``POST /tasks``); ``GET /tasks`` lists every task the caller may
see (sales: theirs and those on their prospects), and ``/tasks/{id}`` gets,
changes (complete with ``{"status": "done"}``) and deletes one. Each change
refreshes the prospect's task summary and records the task events."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from marshmallow import Schema, fields

from capture.api.auth import api_user
from capture.api.parents import PARENTS, SINGULAR, bad_cursor, page_answer, parent_of
from capture.api.resource import Resource
from capture.api.schemas import Id, PageArgs, Strict, Timestamp, form_values, owner_tokens, page_of, patch_of
from capture.api.writes import IDEMPOTENCY_DOC, idempotent_create, write
from capture.database import db_session
from crm_core.list_filters import owner_ids
from crm_core.parents import ParentType
from crm_core.related import check_parent_visible
from crm_core.tasks.models import Task, TaskStatus
from crm_core.tasks.queries import get_visible_task, task_list
from crm_core.tasks.schemas import TaskSchema
from crm_core.tasks.services import create_task, delete_task, update_task

bp = Resource(
    "tasks", __name__, tag="Tasks", description="To-dos on a prospect, account or offer, or independent ones."
)


class TaskIn(TaskSchema, Strict):
    """The admin's task fields (``crm_core.tasks.schemas``); an unassigned task goes to the caller."""

    priority_id = Id(allow_none=True, load_default=None)
    owner_id = Id(allow_none=True, load_default=None)

    class Meta:
        unknown = Strict.Meta.unknown


TaskPatch = patch_of(TaskIn, "TaskPatch")


class TaskOut(Schema):
    id = fields.Integer(required=True)
    parent_type = fields.Enum(ParentType, by_value=True, required=True, allow_none=True)
    parent_id = fields.Integer(required=True, allow_none=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    start_date = fields.Date(required=True, allow_none=True)
    due_date = fields.Date(required=True, allow_none=True)
    due_time = fields.Time(required=True, allow_none=True, format="%H:%M")
    priority_id = fields.Integer(required=True, allow_none=True)
    owner_id = fields.Integer(required=True, allow_none=True)
    status = fields.Enum(TaskStatus, by_value=True, required=True)
    completed_at = Timestamp(required=True, allow_none=True)
    template_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Set when a status's template created it."}
    )
    created_by_id = fields.Integer(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


TaskPage = page_of(TaskOut, "TaskPage")


class TaskListArgs(PageArgs):
    owner = owner_tokens(allow_none=False)
    status = fields.List(fields.Enum(TaskStatus, by_value=True))
    independent = fields.Boolean(
        load_default=False, metadata={"description": "Only tasks that belong to no record."}
    )


def _current(task: Task) -> dict[str, Any]:
    return {name: getattr(task, name) for name in TaskIn().fields}


def _location(task: Task) -> dict[str, str]:
    return {"Location": url_for("api.tasks.one", task_id=task.id)}


def _nested(segment: str) -> None:
    what = SINGULAR[segment]

    @bp.route(f"/{segment}/<id:parent_id>/tasks", methods=["GET"], endpoint=f"{what}_list")
    @bp.doc(summary=f"List a {what}'s tasks", description="Newest first.")
    @bp.arguments(PageArgs, location="query", as_kwargs=True)
    @bp.response(200, TaskPage)
    def list_tasks(parent_id: int, **args: Any) -> Any:
        parent = parent_of(segment, parent_id)
        check_parent_visible(db_session(), api_user(), parent)
        refused = bad_cursor(args, "-created")
        if refused is not None:
            return refused
        page = task_list(
            db_session(),
            api_user(),
            parent=parent,
            after=args.get("after"),
            before=args.get("before"),
            limit=args["limit"],
        )
        return page_answer(page)

    @bp.route(f"/{segment}/<id:parent_id>/tasks", methods=["POST"], endpoint=f"{what}_create")
    @bp.doc(summary=f"Add a task to a {what}", **IDEMPOTENCY_DOC)
    @idempotent_create
    @bp.arguments(TaskIn)
    @bp.response(201, TaskOut)
    def create(data: dict[str, Any], parent_id: int) -> Any:
        task = create_task(db_session(), api_user(), parent_of(segment, parent_id), form_values(data))
        return task, _location(task)


for _segment in PARENTS:
    _nested(_segment)


@bp.route("/tasks", methods=["GET"], endpoint="list")
@bp.arguments(TaskListArgs, location="query", as_kwargs=True)
@bp.response(200, TaskPage)
def list_all(**args: Any) -> Any:
    """List the tasks you may see

    Newest first; filter by `owner`, `status`, or `independent=true`.
    """
    refused = bad_cursor(args, "-created")
    if refused is not None:
        return refused
    user = api_user()
    owners = owner_ids(args.get("owner") or [], user) if args.get("owner") else None
    page = task_list(
        db_session(),
        user,
        independent=args["independent"],
        owner_ids=owners,
        statuses=args.get("status"),
        after=args.get("after"),
        before=args.get("before"),
        limit=args["limit"],
    )
    return page_answer(page)


@bp.route("/tasks", methods=["POST"], endpoint="create")
@bp.doc(**IDEMPOTENCY_DOC)
@idempotent_create
@bp.arguments(TaskIn)
@bp.response(201, TaskOut)
def create_independent(data: dict[str, Any]) -> Any:
    """Create an independent task (on no record)"""
    task = create_task(db_session(), api_user(), None, form_values(data))
    return task, _location(task)


@bp.route("/tasks/<id:task_id>", methods=["GET"], endpoint="one")
@bp.response(200, TaskOut)
def one(task_id: int) -> Task:
    """Get a task"""
    return get_visible_task(db_session(), api_user(), task_id)


@bp.route("/tasks/<id:task_id>", methods=["PATCH"], endpoint="update")
@write
@bp.arguments(TaskPatch)
@bp.response(200, TaskOut)
def update(data: dict[str, Any], task_id: int) -> Task:
    """Change a task (only the fields sent); `{"status": "done"}` completes it"""
    session = db_session()
    current = _current(get_visible_task(session, api_user(), task_id))
    return update_task(session, api_user(), task_id, form_values({**current, **data}))


@bp.route("/tasks/<id:task_id>", methods=["DELETE"], endpoint="delete")
@write
@bp.response(204)
def delete(task_id: int) -> Response:
    """Delete a task"""
    delete_task(db_session(), api_user(), task_id)
    return Response(status=204)
