"""The worker process's database handle and time zone. Jobs receive only
JSON, so they find the session factory here; ``run_worker`` configures it from
the one ``Settings`` before the first job runs."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import make_engine, make_session_factory

_engine: Engine | None = None
_factory: sessionmaker[Session] | None = None
_zone = ZoneInfo("UTC")


def configure(database_url: str, time_zone: str = "UTC") -> sessionmaker[Session]:
    """Point this process at a database; reconfiguring to the same URL keeps the pool."""
    global _engine, _factory, _zone
    _zone = ZoneInfo(time_zone)
    if _engine is not None and _factory is not None:
        if _engine.url.render_as_string(hide_password=False) == database_url:
            return _factory
        _engine.dispose()
    _engine = make_engine(database_url)
    _factory = make_session_factory(_engine)
    return _factory


def session_factory() -> sessionmaker[Session]:
    if _factory is None:
        raise RuntimeError("This worker has no database: run_worker() (or runtime.configure) sets it.")
    return _factory


def zone() -> ZoneInfo:
    """The instance's time zone: "today" for the due dates of automatic tasks."""
    return _zone
