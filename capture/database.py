"""The request's database session, opened lazily so public routes that never
need the database (the submit path) never open a connection."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import make_engine, make_session_factory

T = TypeVar("T")


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["LC_SETTINGS"].database_url)
    app.extensions["lc_engine"] = engine
    app.extensions["lc_db"] = make_session_factory(engine)
    app.teardown_appcontext(_close_session)


def session_factory() -> sessionmaker[Session]:
    return current_app.extensions["lc_db"]


def db_session() -> Session:
    if "db_session" not in g:
        g.db_session = session_factory()()
    return g.db_session


def streamed(rows_from: Callable[[Session], Iterator[T]]) -> Iterator[T]:
    """Rows for a streamed response, read through a session of their own that is closed as
    soon as they are done: the response outlives its view (and its request's session), and
    a client that stops reading must not keep a connection."""
    session = session_factory()()
    try:
        yield from rows_from(session)
    finally:
        session.close()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
