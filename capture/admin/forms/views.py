"""The forms list (admin and marketing): counters, and create, duplicate,
activate / deactivate and delete."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from redis.exceptions import RedisError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from capture import redis_client, redis_keys
from capture.admin.auth import current_user, roles_required
from capture.admin.forms import bp
from capture.database import db_session
from capture.public.form_cache import PUBLISH_FAILED
from crm_core.errors import ValidationFailed
from crm_core.forms.demo import STARTER_FIELDS
from crm_core.forms.queries import form_activity, get_form, list_forms
from crm_core.forms.services import create_form, delete_form, duplicate_form, set_form_active
from crm_core.permissions import FORM_MANAGERS


@dataclass(frozen=True)
class Counters:
    views: int = 0
    submissions: int = 0


def counters(keys: list[str]) -> dict[str, Counters] | None:
    """Views and submissions counted by the public endpoints in Redis;
    ``None`` when Redis cannot be asked (the page still shows)."""
    if not keys:
        return {}
    names = [redis_keys.stat(what, key) for key in keys for what in ("views", "submissions")]
    try:
        values = redis_client.redis().mget(names)
    except RedisError:
        return None
    numbers = [int(v) if v is not None else 0 for v in values]
    return {key: Counters(numbers[2 * i], numbers[2 * i + 1]) for i, key in enumerate(keys)}


def commit_form_change(db: Session) -> None:
    """Commit; the saved definition goes live on commit (``publish_on_commit``),
    and when Redis could not take it, the editor is told so."""
    db.commit()
    if db.info.pop(PUBLISH_FAILED, False):
        flash(
            "Saved, but the live form could not be refreshed (Redis unreachable). Save again shortly.",
            "error",
        )


@bp.get("/forms", endpoint="index")
@roles_required(*FORM_MANAGERS)
def forms() -> str:
    db = db_session()
    all_forms = list_forms(db)
    return render_template(
        "admin/forms/list.html",
        forms=all_forms,
        activity=form_activity(db),
        counters=counters([f.key for f in all_forms]),
    )


@bp.post("/forms", endpoint="create")
@roles_required(*FORM_MANAGERS)
def form_create() -> Response | tuple[str, int]:
    db = db_session()
    user = current_user()
    name = request.form.get("name", "").strip()
    try:
        form = create_form(
            db,
            {
                "name": name,
                "name_prefix": "[Web]",
                "owner_id": user.id if user else None,
                "fields": STARTER_FIELDS,
            },
        )
    except ValidationFailed:
        db.rollback()
        flash("Give the new form a name (at most 200 characters).", "error")
        return redirect(url_for("admin.forms.index"))
    commit_form_change(db)
    flash(
        "Form created. Add the website domains it will be used on, then copy the embed code.",
        "success",
    )
    return redirect(url_for("admin.forms.edit", form_id=form.id))


@bp.post("/forms/<int:form_id>/duplicate", endpoint="duplicate")
@roles_required(*FORM_MANAGERS)
def form_duplicate(form_id: int) -> Response:
    db = db_session()
    copy = duplicate_form(db, form_id)
    commit_form_change(db)
    flash(f"Created “{copy.name}”. It is inactive until you switch it on.", "success")
    return redirect(url_for("admin.forms.edit", form_id=copy.id))


@bp.post("/forms/<int:form_id>/active", endpoint="active")
@roles_required(*FORM_MANAGERS)
def form_active(form_id: int) -> Response:
    active = request.form.get("active") == "1"
    db = db_session()
    form = set_form_active(db, form_id, active)
    commit_form_change(db)
    state = (
        "active: it accepts submissions" if active else "inactive: it no longer shows or accepts submissions"
    )
    flash(f"“{form.name}” is {state}.", "success")
    return redirect(safe_back(url_for("admin.forms.index")))


@bp.get("/forms/<int:form_id>/delete", endpoint="delete_confirm")
@roles_required(*FORM_MANAGERS)
def form_delete_confirm(form_id: int) -> str:
    db = db_session()
    form = get_form(db, form_id)
    activity = form_activity(db).get(form.id)
    return render_template(
        "admin/forms/delete.html", form=form, prospects=activity.prospects if activity else 0
    )


@bp.post("/forms/<int:form_id>/delete", endpoint="delete")
@roles_required(*FORM_MANAGERS)
def form_delete(form_id: int) -> Response:
    db = db_session()
    name = get_form(db, form_id).name
    delete_form(db, form_id)
    commit_form_change(db)
    flash(f"Deleted “{name}”. The prospects it created are kept.", "success")
    return redirect(url_for("admin.forms.index"))


def safe_back(default: str) -> str:
    target = request.form.get("back", "")
    if target.startswith("/admin/") and "//" not in target and "\\" not in target:
        return target
    return default
