"""Fault injection with real processes: kill the worker tree, kill -9 Redis,
stop PostgreSQL — every accepted submission still becomes exactly one prospect.

Run alone with ``pytest -m faults``; CI runs them with the rest."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import func, select

from capture.app import create_app
from capture.embedded_redis import EmbeddedRedis
from crm_core.db import make_engine, make_session_factory, transaction
from crm_core.forms.definition import form_definition
from crm_core.forms.services import create_form
from crm_core.lists.services import ensure_default_lists
from crm_core.migrate import upgrade
from crm_core.models import Prospect
from crm_core.settings import Settings
from tests.conftest import form_config
from tests.faults import PrivatePostgres, start_worker, wait_until
from tests.processes import stop_tree

pytestmark = pytest.mark.faults

ORIGIN = {"Origin": "https://example.com", "Accept": "application/json"}


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    server.start()
    yield server
    server.destroy()


class Stack:
    """Redis (AOF), a migrated PostgreSQL database, the capture app and a form."""

    def __init__(self, tmp_path: Path, postgres: PrivatePostgres):
        self.redis_server = EmbeddedRedis(tmp_path / "redis").start()
        self.database_url = postgres.create_database(f"lc_{uuid.uuid4().hex[:8]}")
        upgrade(self.database_url)
        self.engine = make_engine(self.database_url)
        self.factory = make_session_factory(self.engine)
        with transaction(self.factory) as session:
            ensure_default_lists(session)
            self.form = form_definition(create_form(session, form_config()))
        self.settings = Settings(
            database_url=self.database_url,
            redis_url=self.redis_server.url,
            secret_key="fault-tests-secret-key-0123456789abcdef",
            environment="test",
            rate_limit_ip="1000000/60",
            rate_limit_form="1000000/60",
            rate_limit_global="1000000/60",
            require_render_token=False,
        )
        self.app = create_app(self.settings)
        self.client = self.app.test_client()
        assert self.client.get(f"/f/{self.form['key']}.json").status_code == 200  # fills the cache
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_server.url,
            "SECRET_KEY": self.settings.secret_key,
            "LEADCAPTURE_ENV": "test",
        }
        self.log = tmp_path / "worker.log"
        self._redis: Redis | None = None

    def submit(self, client_key: str, n: int) -> int:
        return self.client.post(
            f"/f/{self.form['key']}",
            data={"name": f"Visitor {n}", "email": f"v{n}@example.com", "_lc_id": client_key},
            headers=ORIGIN,
        ).status_code

    def prospects(self) -> int:
        with self.factory() as session:
            return session.scalar(select(func.count(Prospect.id))) or 0

    def distinct_submissions(self) -> int:
        with self.factory() as session:
            return session.scalar(select(func.count(func.distinct(Prospect.submission_id)))) or 0

    def redis(self) -> Redis:
        if self._redis is None:
            self._redis = Redis.from_url(self.redis_server.url)
        return self._redis

    def close(self) -> None:
        if self._redis is not None:
            self._redis.close()
        self.app.extensions["lc_redis"].close()
        self.app.extensions["lc_engine"].dispose()
        self.engine.dispose()
        self.redis_server.stop()


@pytest.fixture
def stack(tmp_path: Path, postgres: PrivatePostgres) -> Iterator[Stack]:
    built = Stack(tmp_path, postgres)
    yield built
    built.close()


def registries_empty(redis: Redis) -> bool:
    queue = Queue("submissions", connection=redis)
    return (
        queue.count == 0
        and StartedJobRegistry(queue=queue).count == 0
        and ScheduledJobRegistry(queue=queue).count == 0
    )


def test_sigkill_of_the_worker_tree_loses_and_duplicates_nothing(stack: Stack) -> None:
    for n in range(1000):
        assert stack.submit(str(uuid.uuid4()), n) == 202
    redis = stack.redis()
    queue = Queue("submissions", connection=redis)
    assert queue.count == 1000

    worker = start_worker(stack.env, stack.log)
    wait_until(lambda: stack.prospects() >= 100 and StartedJobRegistry(queue=queue).count > 0, 60, 0.01)
    os.killpg(worker.pid, signal.SIGKILL)  # the whole tree: worker and its scheduler process
    worker.wait()
    killed_at = time.monotonic()
    in_flight = StartedJobRegistry(queue=queue).get_job_ids()
    landed_before_restart = stack.prospects()
    assert landed_before_restart < 1000

    worker = start_worker(stack.env, stack.log)
    try:
        wait_until(lambda: stack.prospects() == 1000 and registries_empty(redis), 240)
        recovery = time.monotonic() - killed_at
    finally:
        stop_tree(worker)
    assert stack.prospects() == stack.distinct_submissions() == 1000
    assert FailedJobRegistry(queue=queue).count == 0
    log = stack.log.read_text()
    print(
        f"killed with {landed_before_restart} landed, {len(in_flight)} in flight; all 1000 after {recovery:.0f}s"
    )
    assert in_flight and any(f"submission {job_id} attempt 2" in log for job_id in in_flight), (
        "the job in flight when the worker died must run again"
    )
    assert recovery < 180


def test_kill_9_redis_during_a_burst(stack: Stack) -> None:
    worker = start_worker(stack.env, stack.log)
    accepted: set[str] = set()
    refused: list[str] = []
    statuses: set[int] = set()
    try:
        for n in range(600):
            if n == 200:
                stack.redis_server.kill()  # SIGKILL: no chance to flush anything
            if n == 400:
                stack.redis_server.start()  # same port and directory: reloads the AOF
            key = str(uuid.uuid4())
            status = stack.submit(key, n)
            statuses.add(status)
            (accepted.add if status == 202 else refused.append)(key)
        assert statuses == {202, 503}, statuses
        assert len(refused) == 200
        # The snippet retries a 503 with the same idempotency key: do the same.
        for n, key in enumerate(refused):
            assert stack.submit(key, 10_000 + n) == 202
            accepted.add(key)
        wait_until(lambda: stack.prospects() == 600 and registries_empty(stack.redis()), 120)
    finally:
        stop_tree(worker)
    assert stack.distinct_submissions() == 600 == len(accepted)
    assert FailedJobRegistry(queue=Queue("submissions", connection=stack.redis())).count == 0


def test_database_outage_keeps_intake_answering_and_loses_nothing(
    stack: Stack, postgres: PrivatePostgres
) -> None:
    worker = start_worker(stack.env, stack.log)
    try:
        for n in range(20):
            assert stack.submit(str(uuid.uuid4()), n) == 202
        wait_until(lambda: stack.prospects() == 20, 30)

        postgres.stop()
        outage_started = time.monotonic()
        n = 20
        while time.monotonic() - outage_started < 60:
            assert stack.submit(str(uuid.uuid4()), n) == 202  # intake never needs the database
            n += 1
            time.sleep(0.5)
        postgres.start()
        outage = time.monotonic() - outage_started

        catch_up = wait_until(lambda: stack.prospects() == n and registries_empty(stack.redis()), 240)
    finally:
        stop_tree(worker)
    assert stack.distinct_submissions() == n
    assert FailedJobRegistry(queue=Queue("submissions", connection=stack.redis())).count == 0
    print(f"{n - 20} submissions during a {outage:.0f}s outage; all landed {catch_up:.0f}s after it ended")
