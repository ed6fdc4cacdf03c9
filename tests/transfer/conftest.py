"""Import fixtures: staff to import as, and the steps a person takes — upload a file (it is
previewed and becomes a draft), choose the mapping and options (queued), and the job that
runs it, in process (``run_import``) or on a real RQ worker (``work_transfers``)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.models import Prospect, Role, User
from crm_core.transfer.importing import ImportRun
from crm_core.transfer.limits import Limits
from crm_core.transfer.models import Import
from crm_core.transfer.reading import preview
from crm_core.transfer.schemas import ImportOptions
from crm_core.transfer.services import queue_import, start_import
from worker import runtime
from worker.queues import TRANSFERS, enqueue_import, transfers_queue
from worker.workers import LeadWorker


@dataclass
class Importer:
    """One member of staff taking a file through the import steps."""

    factory: sessionmaker[Session]
    user: User
    files: Path

    def upload(
        self,
        path: Path,
        *,
        language: str = "en",
        encoding: str | None = None,
        delimiter: str | None = None,
        limits: Limits | None = None,
    ) -> int:
        stored = self.files / f"stored-{path.name}"
        shutil.copyfile(path, stored)
        limits = limits or Limits()
        shown = preview(stored, encoding, delimiter, language=language, limits=limits)
        with transaction(self.factory) as session:
            record = start_import(
                session,
                session.get(User, self.user.id),
                file_name=path.name,
                stored_path=str(stored),
                file_size=stored.stat().st_size,
                preview=shown,
                options=ImportOptions(language=language, limits=limits),
                keep_file=timedelta(days=30),
            )
            return record.id

    def draft(self, import_id: int) -> Import:
        with self.factory() as session:
            record = session.get(Import, import_id)
            assert record is not None
            session.expunge(record)
            return record

    def queue(
        self,
        import_id: int,
        *,
        mapping: list[str | None] | None = None,
        dry_run: bool = False,
        **options: Any,
    ) -> Import:
        draft = self.draft(import_id)
        current = ImportOptions.from_json(draft.options)
        chosen = ImportOptions.from_json({**current.to_json(), **options})
        with transaction(self.factory) as session:
            record = queue_import(
                session,
                session.get(User, self.user.id),
                import_id,
                mapping if mapping is not None else draft.mapping,
                chosen,
                dry_run=dry_run,
            )
            session.flush()
            session.expunge(record)
            return record

    def run(self, import_id: int, batch_size: int = 500) -> Import:
        ImportRun(self.factory, import_id, batch_size=batch_size).run()
        return self.draft(import_id)


@pytest.fixture
def importer(session_factory: sessionmaker[Session], tmp_path: Path) -> Importer:
    with transaction(session_factory) as session:
        user = User(email="ida@example.com", name="Ida Importer", role=Role.ADMIN, password_hash="x")
        session.add(user)
        session.flush()
        session.expunge(user)
    files = tmp_path / "stored"
    files.mkdir()
    return Importer(session_factory, user, files)


@pytest.fixture
def count_prospects(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    def count() -> int:
        with session_factory() as session:
            return session.scalar(select(func.count()).select_from(Prospect)) or 0

    return count


@pytest.fixture
def work_transfers(database_url: str, redis: Redis) -> Callable[..., Queue]:
    """Enqueue the import's job as the web app does and run a real worker until it is done."""

    def run(import_id: int, run_number: int = 1) -> Queue:
        runtime.configure(database_url)
        queue = transfers_queue(redis)
        enqueue_import(queue, import_id, run_number)
        worker = LeadWorker(
            [Queue(TRANSFERS, connection=redis, serializer="json")], connection=redis, serializer="json"
        )
        worker.work(burst=True, with_scheduler=False, logging_level="WARNING")
        for job_id in queue.failed_job_registry.get_job_ids():
            job = queue.fetch_job(job_id)
            print(f"job {job_id} failed: {job.latest_result().exc_string if job else '?'}")
        return queue

    return run
