"""Settings (admins only): the statuses, sources and priorities lists that
forms and prospects use."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from redis.exceptions import RedisError
from werkzeug.wrappers import Response

from capture import redis_client
from capture.admin import bp
from capture.admin.auth import roles_required
from capture.database import db_session
from capture.form_cache import publish
from crm_core.errors import DomainError, ValidationFailed
from crm_core.forms.services import form_definition, get_form
from crm_core.lists.services import (
    KINDS,
    STATUS_KIND_LABELS,
    ListKind,
    ValueInUse,
    add_value,
    delete_value,
    get_kind,
    get_value,
    list_values,
    update_value,
    usage_by_value,
    usage_of,
)
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
        "admin/settings_list.html",
        kind=kind,
        kinds=KINDS,
        rows=list_values(db, kind),
        usage=usage_by_value(db, kind),
        status_kinds=STATUS_KIND_LABELS,
        errors=errors or {},
        failed_id=failed_id,
        values=values or {},
    )
    return page, status


@bp.get("/settings")
@roles_required(*SETTINGS_MANAGERS)
def settings() -> Response:
    return redirect(url_for("admin.settings_list", kind="statuses"))


@bp.get("/settings/<kind>")
@roles_required(*SETTINGS_MANAGERS)
def settings_list(kind: str) -> tuple[str, int]:
    return _list_page(get_kind(kind))


@bp.post("/settings/<kind>")
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
    return redirect(url_for("admin.settings_list", kind=kind))


@bp.post("/settings/<kind>/<int:value_id>")
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
    return redirect(url_for("admin.settings_list", kind=kind))


def _delete_page(list_kind: ListKind, value_id: int, status: int = 200, error: str = "") -> tuple[str, int]:
    db = db_session()
    value = get_value(db, list_kind, value_id)
    others = [v for v in list_values(db, list_kind) if v.id != value_id]
    page = render_template(
        "admin/settings_delete.html",
        kind=list_kind,
        kinds=KINDS,
        value=value,
        usage=usage_of(db, list_kind, value_id),
        others=others,
        error=error,
    )
    return page, status


@bp.get("/settings/<kind>/<int:value_id>/delete")
@roles_required(*SETTINGS_MANAGERS)
def settings_delete_confirm(kind: str, value_id: int) -> tuple[str, int]:
    return _delete_page(get_kind(kind), value_id)


@bp.post("/settings/<kind>/<int:value_id>/delete")
@roles_required(*SETTINGS_MANAGERS)
def settings_delete(kind: str, value_id: int) -> Response | tuple[str, int]:
    list_kind = get_kind(kind)
    move_to_text = request.form.get("move_to", "")
    move_to = int(move_to_text) if move_to_text.isdigit() else None
    db = db_session()
    name = get_value(db, list_kind, value_id).name
    try:
        changed_forms = delete_value(db, list_kind, value_id, move_to)
    except ValueInUse as exc:
        db.rollback()
        return _delete_page(list_kind, value_id, 409, str(exc))
    except ValidationFailed as exc:
        db.rollback()
        return _delete_page(list_kind, value_id, 400, " ".join(" ".join(m) for m in exc.fields.values()))
    except DomainError as exc:
        db.rollback()
        return _delete_page(list_kind, value_id, 409, str(exc))
    db.commit()
    _republish(changed_forms)
    moved = f" Its prospects and forms now use “{get_value(db, list_kind, move_to).name}”." if move_to else ""
    flash(f"Deleted {list_kind.singular} “{name}”.{moved}", "success")
    return redirect(url_for("admin.settings_list", kind=kind))


def _republish(form_ids: list[int]) -> None:
    """Forms whose preset moved: the cached definitions carry the old id."""
    db = db_session()
    connection = redis_client.redis()
    for form_id in form_ids:
        try:
            publish(connection, form_definition(get_form(db, form_id)))
        except RedisError:  # stale presets fall back to the defaults when the lead is stored
            current_app.logger.exception("could not republish form %s", form_id)
