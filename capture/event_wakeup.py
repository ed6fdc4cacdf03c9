"""After an admin change that recorded events commits, queue a dispatch job,
so webhooks and mails go out within moments (the worker's minute sweep
covers a wake-up that Redis refused)."""

from __future__ import annotations

from flask import Flask

from crm_core.events.wakeup import on_events_committed
from worker.enqueueing import wake_dispatcher


def init_app(app: Flask) -> None:
    connection = app.extensions["lc_redis"]
    on_events_committed(app.extensions["lc_db"], lambda: wake_dispatcher(connection))
