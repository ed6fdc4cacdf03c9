"""Webhook endpoints. A secret is shown once — in the page that answers its
creation or rotation, never flashed (a flash would put it in the cookie) —
and is stored encrypted. Redelivering, and switching an endpoint back on,
queue the deliveries at once."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from redis.exceptions import RedisError
from werkzeug.wrappers import Response

from capture.admin.auth import roles_required, viewer
from capture.admin.webhooks import bp
from capture.database import db_session
from capture.redis_client import redis
from crm_core.errors import ValidationFailed
from crm_core.events.schemas import EVENT_TYPES
from crm_core.permissions import WEBHOOK_MANAGERS
from crm_core.settings import Settings
from crm_core.webhooks.queries import attempt_log, get_endpoint, list_endpoints, recent_deliveries
from crm_core.webhooks.retries import RETRY_DELAYS
from crm_core.webhooks.secret_box import SecretBox, SecretUnreadable
from crm_core.webhooks.services import create_endpoint, redeliver, rotate_secret, update_endpoint
from worker.enqueueing import enqueue_deliveries


def _settings() -> Settings:
    return current_app.config["LC_SETTINGS"]


def _box() -> SecretBox:
    return SecretBox(_settings().secret_key)


def _form() -> dict[str, Any]:
    return {
        "url": request.form.get("url", ""),
        "description": request.form.get("description", ""),
        "events": request.form.getlist("events"),
        "active": request.form.get("active") == "1",
    }


def _queue(due: list[tuple[int, int]]) -> None:
    """Best effort: without Redis, the worker's minute sweep queues them."""
    try:
        enqueue_deliveries(redis(), due)
    except RedisError:
        flash(
            "The queue is unreachable; the worker will send these within a minute of it returning.", "warning"
        )


@bp.get("/webhooks", endpoint="index")
@roles_required(*WEBHOOK_MANAGERS)
def index() -> tuple[str, int]:
    return _list_page()


def _list_page(
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
    issued: dict[str, Any] | None = None,
) -> tuple[str, int]:
    page = render_template(
        "admin/webhooks/list.html",
        endpoints=list_endpoints(db_session()),
        event_types=EVENT_TYPES,
        errors=errors or {},
        values=values or {"events": ["prospect.created"], "active": True},
        issued=issued,
    )
    return page, status


@bp.post("/webhooks", endpoint="create")
@roles_required(*WEBHOOK_MANAGERS)
def create() -> tuple[str, int]:
    db = db_session()
    values = _form()
    try:
        endpoint, secret = create_endpoint(db, _box(), _settings().webhook_targets, viewer(), values)
    except ValidationFailed as exc:
        db.rollback()
        return _list_page(400, exc.fields, values)
    db.commit()
    return _list_page(201, issued={"endpoint": endpoint, "secret": secret, "what": "created"})


def _detail_page(
    endpoint_id: int,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
    issued: str | None = None,
) -> tuple[str, int]:
    db = db_session()
    endpoint = get_endpoint(db, endpoint_id)
    try:
        _box().open(endpoint.secret_encrypted)
        secret_readable = True
    except SecretUnreadable:
        secret_readable = False
    page = render_template(
        "admin/webhooks/detail.html",
        endpoint=endpoint,
        event_types=EVENT_TYPES,
        errors=errors or {},
        values=values
        or {
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "active": endpoint.active,
        },
        issued=issued,
        secret_readable=secret_readable,
        log=attempt_log(db, endpoint.id),
        deliveries=recent_deliveries(db, endpoint.id),
        schedule=RETRY_DELAYS,
    )
    return page, status


@bp.get("/webhooks/<int:endpoint_id>", endpoint="detail")
@roles_required(*WEBHOOK_MANAGERS)
def detail(endpoint_id: int) -> tuple[str, int]:
    return _detail_page(endpoint_id)


@bp.post("/webhooks/<int:endpoint_id>", endpoint="update")
@roles_required(*WEBHOOK_MANAGERS)
def update(endpoint_id: int) -> Response | tuple[str, int]:
    db = db_session()
    values = _form()
    try:
        endpoint, due = update_endpoint(db, _settings().webhook_targets, endpoint_id, values)
    except ValidationFailed as exc:
        db.rollback()
        return _detail_page(endpoint_id, 400, exc.fields, values)
    db.commit()
    if due:
        _queue(due)
    flash(
        f"Saved. {len(due)} waiting delivery(ies) queued." if due else "Saved.",
        "success",
    )
    return redirect(url_for("admin.webhooks.detail", endpoint_id=endpoint.id))


@bp.post("/webhooks/<int:endpoint_id>/secret", endpoint="rotate")
@roles_required(*WEBHOOK_MANAGERS)
def rotate(endpoint_id: int) -> tuple[str, int]:
    db = db_session()
    secret = rotate_secret(db, _box(), endpoint_id)
    db.commit()
    return _detail_page(endpoint_id, issued=secret)


@bp.post("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver", endpoint="redeliver")
@roles_required(*WEBHOOK_MANAGERS)
def redeliver_one(endpoint_id: int, delivery_id: int) -> Response:
    db = db_session()
    delivery = redeliver(db, endpoint_id, delivery_id)
    db.commit()
    _queue([(delivery.id, delivery.attempts)])
    flash(f"Event {delivery.event_id} queued for redelivery.", "success")
    return redirect(url_for("admin.webhooks.detail", endpoint_id=endpoint_id))
