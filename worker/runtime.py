"""The worker process's database handle. Jobs receive only JSON, so they find
the session factory here; ``run_worker`` configures it from the one
``Settings`` before the first job runs."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import make_engine, make_session_factory

_engine: Engine | None = None
_factory: sessionmaker[Session] | None = None


def configure(database_url: str) -> sessionmaker[Session]:
    """Point this process at a database; reconfiguring to the same URL keeps the pool."""
    global _engine, _factory
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
