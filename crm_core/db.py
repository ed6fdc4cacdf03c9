"""Engines and sessions. One place decides how we talk to SQLite and PostgreSQL,
so the web app, the workers and the tests behave the same."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs: object) -> Engine:
    """Build an engine that survives database restarts (``pool_pre_ping``) and,
    on SQLite, lets a web process and a worker write side by side (WAL + busy
    timeout) instead of failing with "database is locked"."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A short connect timeout: when the database is down, a job fails fast and
    # RQ retries it later, instead of holding the worker for minutes.
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args={"connect_timeout": 5}, **kwargs
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error, so a failed
    service call never leaves half its rows behind."""
    with factory() as session, session.begin():
        yield session
