"""Activities (calls, emails, meetings): ``/{prospects|accounts|offers}/{id}/activities``
(list, log) and ``/activities/{id}`` (get, change, delete). Each change
refreshes the prospect's "last activity" in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, url_for
from marshmallow import Schema, fields

from capture.api.auth import api_user
from capture.api.parents import PARENTS, SINGULAR, bad_cursor, page_answer, parent_of
from capture.api.resource import Resource
from capture.api.schemas import Id, IdOnly, PageArgs, Strict, Timestamp, form_values, page_of, patch_of
from capture.api.writes import IDEMPOTENCY_DOC, idempotent_create, write
from capture.database import db_session
from capture.instance import zone
from crm_core.activities.models import Activity, ActivityKind, ActivityStatus, Direction
from crm_core.activities.queries import activities_page, get_visible_activity
from crm_core.activities.schemas import ActivitySchema
from crm_core.activities.services import delete_activity, log_activity, update_activity
from crm_core.parents import ParentType
from crm_core.related import check_parent_visible

bp = Resource(
    "activities", __name__, tag="Activities", description="Calls, emails and meetings, planned or held."
)


class WallClockDateTime(fields.DateTime):
    """ISO 8601; with an offset it is converted, without one it is read in the
    instance's time zone — then handed on as that zone's wall-clock time, as
    the admin's ``datetime-local`` inputs are."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is not None:
            moment = moment.astimezone(zone()).replace(tzinfo=None)
        return moment


class ActivityIn(ActivitySchema, Strict):
    """The admin's activity fields (``crm_core.activities.schemas``)."""

    starts_at = WallClockDateTime(required=True)
    ends_at = WallClockDateTime(load_default=None, allow_none=True)
    contact_ids = fields.List(
        Id(), load_default=list, metadata={"description": "Contacts of the same record."}
    )
    owner_id = Id(allow_none=True, load_default=None)

    class Meta:
        unknown = Strict.Meta.unknown


ActivityPatch = patch_of(ActivityIn, "ActivityPatch")


class ActivityOut(Schema):
    id = fields.Integer(required=True)
    parent_type = fields.Enum(ParentType, by_value=True, required=True)
    parent_id = fields.Integer(required=True)
    kind = fields.Enum(ActivityKind, by_value=True, required=True)
    subject = fields.String(required=True)
    starts_at = Timestamp(required=True)
    ends_at = Timestamp(allow_none=True, required=True)
    status = fields.Enum(ActivityStatus, by_value=True, required=True)
    direction = fields.Enum(Direction, by_value=True, required=True, allow_none=True)
    owner_id = fields.Integer(allow_none=True, required=True)
    outcome = fields.String(required=True)
    contact_ids = fields.Pluck(IdOnly, "id", many=True, attribute="contacts", required=True)
    created_by_id = fields.Integer(allow_none=True, required=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


ActivityPage = page_of(ActivityOut, "ActivityPage")


def _current(activity: Activity) -> dict[str, Any]:
    return {
        "kind": activity.kind,
        "subject": activity.subject,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "status": activity.status,
        "direction": activity.direction,
        "contact_ids": [contact.id for contact in activity.contacts],
        "owner_id": activity.owner_id,
        "outcome": activity.outcome,
    }


def _nested(segment: str) -> None:
    what = SINGULAR[segment]

    @bp.route(f"/{segment}/<id:parent_id>/activities", methods=["GET"], endpoint=f"{what}_list")
    @bp.doc(summary=f"List a {what}'s activities", description="Latest start first.")
    @bp.arguments(PageArgs, location="query", as_kwargs=True)
    @bp.response(200, ActivityPage)
    def list_activities(parent_id: int, **args: Any) -> Any:
        parent = parent_of(segment, parent_id)
        check_parent_visible(db_session(), api_user(), parent)
        refused = bad_cursor(args, "-starts")
        if refused is not None:
            return refused
        page = activities_page(
            db_session(), parent, after=args.get("after"), before=args.get("before"), limit=args["limit"]
        )
        return page_answer(page)

    @bp.route(f"/{segment}/<id:parent_id>/activities", methods=["POST"], endpoint=f"{what}_create")
    @bp.doc(summary=f"Log or plan an activity on a {what}", **IDEMPOTENCY_DOC)
    @idempotent_create
    @bp.arguments(ActivityIn)
    @bp.response(201, ActivityOut)
    def create(data: dict[str, Any], parent_id: int) -> Any:
        activity = log_activity(
            db_session(), api_user(), parent_of(segment, parent_id), form_values(data, zone()), zone()
        )
        db_session().flush()
        return activity, {"Location": url_for("api.activities.one", activity_id=activity.id)}


for _segment in PARENTS:
    _nested(_segment)


@bp.route("/activities/<id:activity_id>", methods=["GET"], endpoint="one")
@bp.response(200, ActivityOut)
def one(activity_id: int) -> Activity:
    """Get an activity"""
    return get_visible_activity(db_session(), api_user(), activity_id)


@bp.route("/activities/<id:activity_id>", methods=["PATCH"], endpoint="update")
@write
@bp.arguments(ActivityPatch)
@bp.response(200, ActivityOut)
def update(data: dict[str, Any], activity_id: int) -> Activity:
    """Change an activity (only the fields sent), e.g. `{"status": "held"}`"""
    session = db_session()
    current = _current(get_visible_activity(session, api_user(), activity_id))
    activity = update_activity(
        session, api_user(), activity_id, form_values({**current, **data}, zone()), zone()
    )
    session.flush()
    return activity


@bp.route("/activities/<id:activity_id>", methods=["DELETE"], endpoint="delete")
@write
@bp.response(204)
def delete(activity_id: int) -> Response:
    """Delete an activity"""
    delete_activity(db_session(), api_user(), activity_id)
    return Response(status=204)
