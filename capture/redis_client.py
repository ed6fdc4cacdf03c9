"""Redis for the web process: short socket timeouts so a dead or stalled Redis
turns into a quick 503, never a hung request or a 500."""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis
from rq import Queue

from capture.public.admission import Admitter, RateLimit
from worker.queues import submissions_queue


def init_app(app: Flask) -> None:
    settings = app.config["LC_SETTINGS"]
    connection = Redis.from_url(
        settings.redis_url,
        socket_timeout=settings.redis_timeout,
        socket_connect_timeout=settings.redis_timeout,
        health_check_interval=30,
    )
    queue = submissions_queue(connection)
    limits = tuple(RateLimit.parse(scope, text) for scope, text in settings.rate_limits())
    app.extensions["lc_redis"] = connection
    app.extensions["lc_queue"] = queue
    app.extensions["lc_admitter"] = Admitter(connection, queue, limits)


def redis() -> Redis:
    return current_app.extensions["lc_redis"]


def queue() -> Queue:
    return current_app.extensions["lc_queue"]


def admitter() -> Admitter:
    return current_app.extensions["lc_admitter"]
