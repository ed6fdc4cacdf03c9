"""Never half-done, never twice: SIGKILL the worker's whole process tree in the middle of an
import, start it again, and the import completes with every row imported exactly once.

Run alone with ``pytest -m faults``; CI runs it with the rest."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from redis import Redis
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.models import Prospect
from tests.faults import start_worker, wait_until
from tests.processes import stop_tree
from tests.transfer.conftest import Importer
from tests.transfer.samples import write_csv
from worker.queues import enqueue_import, transfers_queue

pytestmark = pytest.mark.faults

ROWS = 30_000


def state(factory: sessionmaker[Session], importer: Importer, import_id: int) -> tuple[str, int, int]:
    record = importer.draft(import_id)
    with factory() as session:
        prospects = session.scalar(select(func.count()).select_from(Prospect)) or 0
    return record.status, record.position, prospects


def alive(worker: subprocess.Popen[bytes], log: Path) -> bool:
    """A worker that exits fails the test at once, with its log, instead of after the wait."""
    assert worker.poll() is None, f"the worker exited ({worker.returncode}):\n{log.read_text()[-3000:]}"
    return True


def test_sigkill_mid_import_then_restart_imports_every_row_exactly_once(
    importer: Importer,
    tmp_path: Path,
    database_url: str,
    redis_url: str,
    redis: Redis,
    session_factory: sessionmaker[Session],
    count_prospects: Callable[[], int],
) -> None:
    rows = [["Name", "Email", "Phone", "Company"]] + [
        [f"Lead {n} Ștefănescu", f"lead{n}@example.ro", f"0722 {n:06d}", f"Firma {n % 97} SRL"]
        for n in range(ROWS)
    ]
    path = write_csv(tmp_path / "big.csv", rows, "utf-8", ";")
    import_id = importer.upload(path, language="ro")
    record = importer.queue(import_id, duplicates="skip", match_on=["email"])
    enqueue_import(transfers_queue(redis), import_id, record.runs)

    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "SECRET_KEY": "s" * 32}
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        wait_until(lambda: alive(worker, log) and count_prospects() >= 3_000, 240, 0.02)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the whole tree: worker and its scheduler process
        worker.wait()
    killed_at = time.monotonic()
    status, position, landed = state(session_factory, importer, import_id)
    print(f"killed at row {position:,} with {landed:,} prospects in ({status})")
    assert status == "running" and 0 < landed < ROWS
    assert landed == importer.draft(import_id).created_count  # committed with its position

    worker = start_worker(env, log)
    try:
        wait_until(lambda: alive(worker, log) and importer.draft(import_id).status == "done", 300)
        recovery = time.monotonic() - killed_at
    finally:
        stop_tree(worker)

    done = importer.draft(import_id)
    assert (done.created_count, done.skipped_count, done.failed_count, done.rows_done) == (ROWS, 0, 0, ROWS)
    assert done.position == ROWS + 1  # the last row's number (the header is row 1)
    assert count_prospects() == ROWS
    with session_factory() as session:
        assert session.scalar(select(func.count(func.distinct(Prospect.email)))) == ROWS
        assert session.scalar(select(func.count()).where(Prospect.import_id == import_id)) == ROWS
    assert FailedJobRegistry(queue=transfers_queue(redis)).count == 0
    print(f"all {ROWS:,} rows once, {recovery:.0f}s after the kill")
    assert f"import {import_id}: done" in log.read_text()
