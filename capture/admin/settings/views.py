"""Settings (admins only): the statuses, sources and priorities lists that
forms and prospects use."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from capture.admin.auth import roles_required
from capture.admin.settings import bp
from capture.database import db_session
from crm_core.errors import DomainError, ValidationFailed
from crm_core.lists.kinds import KINDS, ListKind, get_kind
from crm_core.lists.queries import get_value, list_values, usage_by_value, usage_of
from crm_core.lists.services import add_value, delete_value, update_value
from crm_core.permissions import SETTINGS_MANAGERS


def _posted_value() -> dict[str, Any]:
    form = request.form
    data: dict[str, Any] = {
        "name": form.get("name", ""),
        "position": form.get("position", "") or 0,
        "is_default": form.get("is_default") == "on",
    }
    for optional in ("color", "kind"):
        if optional in form:
            data[optional] = form[optional]
    return data


def _list_page(
    kind: ListKind,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    failed_id: int | None = None,
    values: dict[str, Any] | None = None,
) -> tuple[str, int]:
    db = db_session()
    page = render_template(
        "admin/settings/list.html",
        kind=kind,
        kinds=KINDS,
        rows=list_values(db, kind),
        usage=usage_by_value(db, kind),
        status_kinds=kind.kind_labels,
        errors=errors or {},
        failed_id=failed_id,
        values=values or {},
    )
    return page, status


@bp.get("/settings", endpoint="index")
@roles_required(*SETTINGS_MANAGERS)
def settings() -> Response:
    return redirect(url_for("admin.settings.list", kind="statuses"))


@bp.get("/settings/<kind>", endpoint="list")
@roles_required(*SETTINGS_MANAGERS)
def settings_list(kind: str) -> tuple[str, int]:
    return _list_page(get_kind(kind))


@bp.post("/settings/<kind>", endpoint="add")
@roles_required(*SETTINGS_MANAGERS)
def settings_add(kind: str) -> Response | tuple[str, int]:
    list_kind = get_kind(kind)
    db = db_session()
    try:
        value = add_value(db, list_kind, _posted_value())
    except ValidationFailed as exc:
        db.rollback()
        return _list_page(list_kind, 400, exc.fields, values=dict(request.form))
    db.commit()
    flash(f"Added {list_kind.singular} “{value.name}”.", "success")
    return redirect(url_for("admin.settings.list", kind=kind))


@bp.post("/settings/<kind>/<int:value_id>", endpoint="update")
@roles_required(*SETTINGS_MANAGERS)
def settings_update(kind: str, value_id: int) -> Response | tuple[str, int]:
    list_kind = get_kind(kind)
    db = db_session()
    try:
        value = update_value(db, list_kind, value_id, _posted_value())
    except ValidationFailed as exc:
        db.rollback()
        return _list_page(list_kind, 400, exc.fields, failed_id=value_id, values=dict(request.form))
    db.commit()
    flash(f"Saved “{value.name}”.", "success")
    return redirect(url_for("admin.settings.list", kind=kind))


def _delete_page(list_kind: ListKind, value_id: int, status: int = 200, error: str = "") -> tuple[str, int]:
    db = db_session()
    value = get_value(db, list_kind, value_id)
    others = [v for v in list_values(db, list_kind) if v.id != value_id]
    page = render_template(
        "admin/settings/delete.html",
        kind=list_kind,
        kinds=KINDS,
        value=value,
        usage=usage_of(db, list_kind, value_id),
        others=others,
        error=error,
    )
    return page, status


@bp.get("/settings/<kind>/<int:value_id>/delete", endpoint="delete_confirm")
@roles_required(*SETTINGS_MANAGERS)
def settings_delete_confirm(kind: str, value_id: int) -> tuple[str, int]:
    return _delete_page(get_kind(kind), value_id)


@bp.post("/settings/<kind>/<int:value_id>/delete", endpoint="delete")
@roles_required(*SETTINGS_MANAGERS)
def settings_delete(kind: str, value_id: int) -> Response | tuple[str, int]:
    list_kind = get_kind(kind)
    move_to_text = request.form.get("move_to", "")
    move_to = int(move_to_text) if move_to_text.isdigit() else None
    db = db_session()
    name = get_value(db, list_kind, value_id).name
    try:
        delete_value(db, list_kind, value_id, move_to)  # forms whose presets moved go live on commit
    except ValidationFailed as exc:
        db.rollback()
        return _delete_page(list_kind, value_id, 400, " ".join(" ".join(m) for m in exc.fields.values()))
    except DomainError as exc:
        db.rollback()
        return _delete_page(list_kind, value_id, 409, str(exc))
    db.commit()
    moved = f" Its prospects and forms now use “{get_value(db, list_kind, move_to).name}”." if move_to else ""
    flash(f"Deleted {list_kind.singular} “{name}”.{moved}", "success")
    return redirect(url_for("admin.settings.list", kind=kind))
