"""Users (admins only): create with an initial password shown once, change
role, deactivate / reactivate, reset a forgotten password."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from capture.admin.auth import current_user, roles_required
from capture.admin.users import bp
from capture.database import db_session
from crm_core.errors import DomainError, ValidationFailed
from crm_core.permissions import ROLE_DESCRIPTIONS, USER_MANAGERS
from crm_core.users.queries import list_users
from crm_core.users.schemas import MIN_PASSWORD_LENGTH
from crm_core.users.services import change_role, create_user, generate_password, set_active, set_password


def _page(
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    issued: dict[str, str] | None = None,
) -> tuple[str, int]:
    page = render_template(
        "admin/users/list.html",
        users=list_users(db_session()),
        roles=ROLE_DESCRIPTIONS,
        errors=errors or {},
        values=values or {"role": "sales"},
        issued=issued,
        min_length=MIN_PASSWORD_LENGTH,
    )
    return page, status


@bp.get("/users", endpoint="index")
@roles_required(*USER_MANAGERS)
def users() -> tuple[str, int]:
    return _page()


@bp.post("/users", endpoint="create")
@roles_required(*USER_MANAGERS)
def create_user_account() -> tuple[str, int]:
    values = {key: request.form.get(key, "") for key in ("email", "name", "role", "password")}
    password = values["password"] or generate_password()
    db = db_session()
    try:
        user = create_user(db, values["email"], password, values["role"], values["name"])
    except ValidationFailed as exc:
        db.rollback()
        values.pop("password")
        return _page(400, exc.fields, values)
    db.commit()
    # Rendered, not flashed: a flash would carry the password in the cookie.
    return _page(201, issued={"email": user.email, "password": password, "what": "created"})


@bp.post("/users/<int:user_id>/role", endpoint="role")
@roles_required(*USER_MANAGERS)
def user_role(user_id: int) -> Response:
    db = db_session()
    try:
        user = change_role(db, user_id, request.form.get("role", ""))
    except (DomainError, ValidationFailed) as exc:
        db.rollback()
        flash(_message(exc), "error")
    else:
        db.commit()
        flash(f"{user.display_name} is now {user.role.value}.", "success")
    return redirect(url_for("admin.users.index"))


@bp.post("/users/<int:user_id>/active", endpoint="active")
@roles_required(*USER_MANAGERS)
def user_active(user_id: int) -> Response:
    active = request.form.get("active") == "1"
    db = db_session()
    try:
        user = set_active(db, user_id, active)
    except DomainError as exc:
        db.rollback()
        flash(_message(exc), "error")
    else:
        db.commit()
        if active:
            flash(f"{user.display_name} can sign in again.", "success")
        else:
            flash(f"{user.display_name} is deactivated and was signed out everywhere.", "success")
    me = current_user()
    if me is None or not me.active:
        return redirect(url_for("admin.account.login"))
    return redirect(url_for("admin.users.index"))


@bp.post("/users/<int:user_id>/password", endpoint="reset_password")
@roles_required(*USER_MANAGERS)
def user_password_reset(user_id: int) -> Response | tuple[str, int]:
    me = current_user()
    if me is not None and me.id == user_id:
        return redirect(url_for("admin.account.change_password"))
    password = generate_password()
    db = db_session()
    user = set_password(db, user_id, password)
    db.commit()
    return _page(200, issued={"email": user.email, "password": password, "what": "reset"})


def _message(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed):
        return " ".join(" ".join(v) for v in exc.fields.values())
    return str(exc)
