"""Redis for the web process: short socket timeouts so a dead or stalled Redis
turns into a quick 503, never a hung request or a 500. Infrastructure only:
the features build what they need (queue, admitter, caches) on this connection."""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis


def init_app(app: Flask) -> None:
    settings = app.config["LC_SETTINGS"]
    app.extensions["lc_redis"] = Redis.from_url(
        settings.redis_url,
        socket_timeout=settings.redis_timeout,
        socket_connect_timeout=settings.redis_timeout,
        health_check_interval=30,
    )


def redis() -> Redis:
    return current_app.extensions["lc_redis"]
