"""Shared fixtures: a real Redis server started for the test session, real
SQLite and PostgreSQL databases migrated with Alembic, the Flask app, and an
in-process worker to drain the queue."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from capture.app import create_app
from capture.embedded_redis import EmbeddedRedis, free_port
from capture.public.form_cache import publish
from crm_core.db import make_engine, make_session_factory, transaction
from crm_core.forms.definition import form_definition
from crm_core.forms.services import create_form
from crm_core.lists.services import ensure_default_lists
from crm_core.migrate import upgrade
from crm_core.models import Base
from crm_core.settings import Settings
from tests.availability import postgres_url
from worker import runtime
from worker.queues import SUBMISSIONS
from worker.workers import LeadWorker

# --- Redis -------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: EmbeddedRedis) -> str:
    client = Redis.from_url(redis_server.url)
    # Guard: only ever flush the throwaway server this session started.
    assert client.config_get("dir")["dir"] == str(redis_server.data_dir.resolve())
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    client.close()


# --- Databases -----------------------------------------------------------------


def _postgres_database() -> Iterator[str]:
    server = postgres_url()
    name = f"lc_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'leadcapture.db'}"
        upgrade(url)
        yield url
    else:
        for url in _postgres_database():
            upgrade(url)
            yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables), for tests that run the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture(scope="session")
def _engine_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def session_factory(_engine_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """A clean database for each test: every table emptied, default lists restored."""
    with transaction(_engine_factory) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
        # Deleting prospects appends to the tallies (crm_core.reports.models): empty them last.
        for table in ("prospect_source_tallies", "prospect_owner_tallies"):
            session.execute(delete(Base.metadata.tables[table]))
        ensure_default_lists(session)
    return _engine_factory


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


# --- The app ---------------------------------------------------------------------


@pytest.fixture
def settings(database_url: str, redis_url: str, session_factory: sessionmaker[Session]) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        environment="test",
        demo_pages=True,
        # Most tests post like an API client; the render-token rule has its own tests.
        require_render_token=False,
    )


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    app = create_app(settings)
    app.config.update(TESTING=True)
    yield app
    app.extensions["lc_redis"].close()
    app.extensions["lc_engine"].dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


FormFactory = Callable[..., dict[str, Any]]


def form_config(**overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "name": "Contact us",
        "name_prefix": "[Web]",
        "allowed_domains": ["example.com", "*.example.org"],
        "success_message": "Thanks, we'll call you.",
        "fields": [
            {"name": "name", "label": "Name", "required": True},
            {"name": "email", "label": "Email", "required": True},
            {"name": "phone", "label": "Phone"},
            {"name": "company", "label": "Company"},
            {"name": "description", "label": "Message"},
        ],
    }
    config.update(overrides)
    return config


@pytest.fixture
def make_form(session_factory: sessionmaker[Session], redis: Redis) -> FormFactory:
    """Create a form through the domain service and publish it, as saving in the admin does."""

    def factory(**overrides: Any) -> dict[str, Any]:
        with transaction(session_factory) as session:
            definition = form_definition(create_form(session, form_config(**overrides)))
        publish(redis, definition)
        return definition

    return factory


@pytest.fixture
def drain(database_url: str, redis: Redis) -> Callable[[], int]:
    """Run an in-process worker until the queue is empty; returns jobs handled."""

    def run() -> int:
        runtime.configure(database_url)
        queue = Queue(SUBMISSIONS, connection=redis, serializer="json")
        before = queue.count
        worker = LeadWorker([queue], connection=redis, serializer="json")
        worker.work(burst=True, with_scheduler=False, logging_level="WARNING")
        for job_id in queue.failed_job_registry.get_job_ids():
            job = queue.fetch_job(job_id)
            print(f"job {job_id} failed: {job.latest_result().exc_string if job else '?'}")
        return before - queue.count

    return run


# --- Live servers (browser tests) ---------------------------------------------------


class LiveServer:
    def __init__(self, wsgi_app: Any, host: str = "127.0.0.1"):
        self.port = free_port()
        self.host = host
        self.server = make_server(host, self.port, wsgi_app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """The capture app on 127.0.0.1:<port>."""
    with LiveServer(app) as server:
        app.config["LC_SETTINGS"] = _with_base_url(app.config["LC_SETTINGS"], server.url)
        yield server


def _with_base_url(settings: Settings, url: str) -> Settings:
    from dataclasses import replace

    return replace(settings, public_base_url=url)


@pytest.fixture
def host_site(tmp_path: Path) -> Iterator[Callable[[str, str], str]]:
    """A second origin (localhost:<other port>) serving host pages written by the test:
    ``url = host_site("page.html", html)``."""
    pages: dict[str, bytes] = {}

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = pages.get(environ["PATH_INFO"].lstrip("/"))
        if body is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body]

    with LiveServer(wsgi, host="localhost") as server:

        def add(name: str, html: str) -> str:
            pages[name] = html.encode()
            return f"{server.url}/{name}"

        yield add
