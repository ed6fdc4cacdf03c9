"""Telling the dispatcher that events were committed. ``record_events`` marks
the session; after the commit (never after a rollback) the callback the
process registered runs — the web app and the worker enqueue a dispatch job.
The callback cannot lose an event: if the process dies before it runs, or
Redis refuses it, the worker's sweep dispatches within a minute."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from crm_core.events.services import EVENTS_RECORDED

log = logging.getLogger(__name__)


def on_events_committed(factory: sessionmaker[Session], callback: Callable[[], None]) -> None:
    def after_commit(session: Session) -> None:
        if session.info.pop(EVENTS_RECORDED, False):
            try:
                callback()
            except Exception:  # the sweep covers it; a commit must never fail afterwards
                log.warning(
                    "could not wake the event dispatcher; the sweep will pick the events up", exc_info=True
                )

    def after_rollback(session: Session) -> None:
        session.info.pop(EVENTS_RECORDED, None)

    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_rollback", after_rollback)
