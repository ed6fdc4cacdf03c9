"""``/api/v1/lists/…`` (read): the settings lists prospects and offers point
at — statuses (with their kind), sources, priorities, offer statuses — in
their order, for every role (their ids appear in every record)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from capture.api.resource import Resource
from capture.database import db_session
from crm_core.lists.kinds import get_kind
from crm_core.lists.queries import list_values

bp = Resource(
    "lists",
    __name__,
    url_prefix="/lists",
    tag="Settings lists",
    description="Statuses, sources, priorities and offer statuses (read only).",
)


class ListValueOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    position = fields.Integer(required=True)
    is_default = fields.Boolean(required=True)


class ColouredValueOut(ListValueOut):
    color = fields.String(required=True)


class StatusOut(ColouredValueOut):
    kind = fields.String(attribute="kind.value", required=True)


def _list_schema(item: type[Schema], name: str) -> type[Schema]:
    return type(name, (Schema,), {"items": fields.List(fields.Nested(item), required=True)})


StatusList = _list_schema(StatusOut, "StatusList")
SourceList = _list_schema(ListValueOut, "SourceList")
PriorityList = _list_schema(ColouredValueOut, "PriorityList")


def _values(slug: str) -> dict[str, Any]:
    return {"items": list_values(db_session(), get_kind(slug))}


@bp.route("/statuses", methods=["GET"], endpoint="statuses")
@bp.response(200, StatusList)
def statuses() -> dict[str, Any]:
    """Prospect statuses

    `kind` says what a status means: `open`, `qualified`, `converted` (reached only by converting)
    or `junk`.
    """
    return _values("statuses")


@bp.route("/sources", methods=["GET"], endpoint="sources")
@bp.response(200, SourceList)
def sources() -> dict[str, Any]:
    """Prospect sources"""
    return _values("sources")


@bp.route("/priorities", methods=["GET"], endpoint="priorities")
@bp.response(200, PriorityList)
def priorities() -> dict[str, Any]:
    """Priorities (of prospects, tasks and offers)"""
    return _values("priorities")


@bp.route("/offer-statuses", methods=["GET"], endpoint="offer_statuses")
@bp.response(200, StatusList)
def offer_statuses() -> dict[str, Any]:
    """Offer statuses

    `kind`: `draft`, `sent`, `accepted`, `rejected` or `expired`.
    """
    return _values("offer-statuses")
