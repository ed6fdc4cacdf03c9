"""What the benchmarks run against: throw-away Redis and databases, the bench
form, its visitors, and the environment the capture processes get."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# A PostgreSQL login allowed to CREATE DATABASE; each run makes its own database and drops it.
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://leadcapture:leadcapture@127.0.0.1:5432/postgres"
)
ORIGIN = "https://example.com"
HUGE_LIMIT = "100000000/60"
SECRET = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - a throw-away server

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def embedded_redis(data_dir: Path) -> Iterator[str]:
    from capture.embedded_redis import EmbeddedRedis

    server = EmbeddedRedis(data_dir).start()
    try:
        yield server.url
    finally:
        server.stop()


@contextlib.contextmanager
def database(kind: str, tmp: Path, name: str) -> Iterator[str]:
    """A migrated, empty database with the default lookups: a SQLite file under
    ``tmp``, or a PostgreSQL database created for this run and dropped after."""
    from sqlalchemy import create_engine, text

    if kind == "sqlite":
        url = f"sqlite:///{tmp / (name + '.db')}"
        _prepare(url)
        yield url
        return
    db_name = f"{name}_{os.getpid()}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}"'))
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + db_name
    try:
        _prepare(url)
        yield url
    finally:
        _drop(admin, db_name)
        admin.dispose()


def _drop(admin: Any, db_name: str) -> None:
    """FORCE ends our own sessions, but a login without ``pg_signal_backend``
    cannot end an autovacuum worker (one starts after big inserts): wait it out."""
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    for attempt in range(60):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
            return
        except ProgrammingError:
            if attempt == 59:
                raise
            time.sleep(0.5)


def _prepare(url: str) -> None:
    from crm_core.db import make_engine, make_session_factory, transaction
    from crm_core.lists.services import ensure_default_lists
    from crm_core.migrate import upgrade

    upgrade(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        ensure_default_lists(session)
    engine.dispose()


FORM_CONFIG: dict[str, Any] = {
    "name": "Bench form",
    "name_prefix": "[Web]",
    "allowed_domains": ["example.com"],
    "success_message": "Thanks, we'll call you.",
    "fields": [
        {"name": "name", "label": "Name", "required": True},
        {"name": "email", "label": "Email", "required": True},
        {"name": "phone", "label": "Phone"},
        {"name": "company", "label": "Company"},
        {"name": "description", "label": "Message"},
    ],
}


def create_form(database_url: str, redis_url: str) -> dict[str, Any]:
    """The bench form (as ``tests/conftest.py::form_config``), published to the cache."""
    from redis import Redis

    from capture.public.form_cache import publish
    from crm_core.db import make_engine, make_session_factory, transaction
    from crm_core.forms.definition import form_definition
    from crm_core.forms.services import create_form as create

    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as session:
        definition = form_definition(create(session, FORM_CONFIG))
    engine.dispose()
    connection = Redis.from_url(redis_url)
    publish(connection, definition)
    connection.close()
    return definition


def visitor_data(n: int) -> dict[str, str]:
    """What the snippet posts for one visitor (the wrk script sends the same fields)."""
    return {
        "name": f"Ana Popescu {n}",
        "email": f"ana.{n}@example.com",
        "phone": "+40 721 000 000",
        "company": "Exemplu SRL",
        "description": "Please call me about the offer.",
        "_lc_id": str(uuid.uuid4()),
        "_lc_page": "https://example.com/contact",
    }


def build_payloads(definition: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """Valid job payloads, exactly as the submit endpoint builds them."""
    from capture.public.intake import build_submission
    from crm_core.forms.validation import compile_validator

    validator = compile_validator(definition["fields"], definition["language"])
    return [build_submission(definition, validator, visitor_data(n)).payload for n in range(count)]


def capture_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """Production settings with limits out of the way of the load generator."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET,
        "LEADCAPTURE_ENV": "production",
        "RATE_LIMIT_PER_IP": HUGE_LIMIT,
        "RATE_LIMIT_PER_FORM": HUGE_LIMIT,
        "RATE_LIMIT_GLOBAL": HUGE_LIMIT,
        "REQUIRE_RENDER_TOKEN": "0",
        "SPAM_MIN_SECONDS": "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
    }
    env.update(extra)
    return env


@contextlib.contextmanager
def served_form(
    tmp: Path, database_kind: str, database_name: str
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """An embedded Redis, a fresh database and the bench form published to the
    cache: (Redis URL, database URL, form definition)."""
    with (
        embedded_redis(tmp / "redis") as redis_url,
        database(database_kind, tmp, database_name) as database_url,
    ):
        yield redis_url, database_url, create_form(database_url, redis_url)
