"""The request's database session, opened lazily so public routes that never
need the database (the submit path) never open a connection."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import make_engine, make_session_factory


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


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
