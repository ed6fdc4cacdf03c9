"""``/api/v1/users`` (read): who owns what — the ids in ``owner_id`` — and
``/users/me``, the token's own user. Emails are shown to admins only, as in
the admin, where only admins manage users."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from marshmallow import Schema, fields

from capture.api.auth import api_token, api_user
from capture.api.resource import Resource
from capture.api.schemas import Timestamp
from capture.database import db_session
from crm_core.permissions import can_manage_users
from crm_core.users.models import Role
from crm_core.users.queries import list_users

bp = Resource("users", __name__, url_prefix="/users", tag="Users", description="The team (read only).")


class UserOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, attribute="display_name")
    role = fields.Enum(Role, by_value=True, required=True)
    active = fields.Boolean(required=True)
    email = fields.String(metadata={"description": "Shown to admins, and in /users/me."})


class UserList(Schema):
    items = fields.List(fields.Nested(UserOut), required=True)


class MeOut(UserOut):
    email = fields.String(required=True)
    token_name = fields.String(required=True)
    token_scopes = fields.List(fields.String(), required=True)
    token_expires_at = Timestamp(required=True)


@bp.route("", methods=["GET"], endpoint="list")
@bp.response(200, UserList)
def list_all() -> Response:
    """List the users (active ones first)"""
    user = api_user()
    shown = UserOut() if can_manage_users(user) else UserOut(exclude=("email",))
    # Dumped here, with or without emails; flask-smorest passes a Response through as is.
    return jsonify(items=shown.dump(list_users(db_session()), many=True))


@bp.route("/me", methods=["GET"], endpoint="me")
@bp.response(200, MeOut)
def me() -> dict[str, Any]:
    """The token's user, and the token's scopes and expiry"""
    token = api_token()
    user = api_user()
    return {
        "id": user.id,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
        "email": user.email,
        "token_name": token.name,
        "token_scopes": sorted(token.scope_set),
        "token_expires_at": token.expires_at,
    }
