"""Health for load balancers and operators: is Redis reachable and configured
so that a 202 is durable, is the database reachable, is a worker alive?"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from capture import redis_client
from capture.database import session_factory
from worker.registries import live_workers

bp = Blueprint("health", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def redis_durability_problems(connection: Redis) -> list[str]:
    """Why this Redis could lose an acknowledged submission, in plain words."""
    try:
        config = {**connection.config_get("appendonly"), **connection.config_get("maxmemory-policy")}
    except RedisError as exc:
        if "unknown command" in str(exc).lower() or "no permissions" in str(exc).lower():
            return []  # managed Redis that hides CONFIG: trust the operator's setup
        raise
    problems = []
    if config.get("appendonly") != "yes":
        problems.append(
            "Redis runs without AOF persistence (appendonly no): a crash would lose queued leads."
        )
    if config.get("maxmemory-policy") != "noeviction":
        problems.append(
            f"Redis may evict keys (maxmemory-policy {config.get('maxmemory-policy')}): "
            "queued leads could be dropped when memory is full; use noeviction."
        )
    return problems


def health_report() -> tuple[bool, dict[str, Any]]:
    report: dict[str, Any] = {}
    healthy = True
    connection = redis_client.redis()
    try:
        connection.ping()
        problems = redis_durability_problems(connection)
        report["redis"] = {"ok": not problems, "problems": problems}
        workers = live_workers(connection)
        report["workers"] = {"ok": workers > 0, "alive": workers}
        healthy &= not problems and workers > 0
    except RedisError:
        report["redis"] = {
            "ok": False,
            "problems": ["Redis is unreachable: submissions are answered with 503."],
        }
        report["workers"] = {"ok": False, "alive": None}
        healthy = False
    try:
        with session_factory()() as session:
            session.execute(text("SELECT 1"))
        report["database"] = {"ok": True}
    except SQLAlchemyError:
        report["database"] = {
            "ok": False,
            "problems": ["The database is unreachable: leads wait in the queue."],
        }
        healthy = False
    return healthy, report


@bp.get("/healthz")
def healthz() -> Response:
    healthy, report = health_report()
    response = jsonify({"ok": healthy, **report})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def log_startup_health() -> None:
    """Say once, at start, if the queue would lose accepted submissions."""
    try:
        for problem in redis_durability_problems(redis_client.redis()):
            current_app.logger.error("UNHEALTHY: %s", problem)
    except RedisError:
        current_app.logger.error("UNHEALTHY: Redis is unreachable at start-up.")
