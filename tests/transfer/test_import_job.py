"""Imports through the real job on a real worker: every encoding and delimiter real
Romanian, Lithuanian and French exports come in lands letter for letter (cedilla ş ţ kept
as the file has them), XLSX and legacy XLS too; the job is on its own queue and runs only
once per run, and expired files are deleted by the daily job."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.clock import now
from crm_core.db import transaction
from crm_core.models import Prospect
from crm_core.transfer.models import Import
from crm_core.transfer.services import delete_expired_files
from tests.transfer.conftest import Importer
from tests.transfer.samples import ROMANIAN_COMMA, SAMPLES, write_csv
from worker import runtime
from worker.periodic import schedule_file_cleanup
from worker.queues import DELETE_EXPIRED_FILES, KNOWN_JOBS, RUN_IMPORT, maintenance_queue
from worker.workers import LeadWorker

FIXTURES = Path(__file__).parent / "fixtures"


def landed(factory: sessionmaker[Session]) -> list[list[str]]:
    with factory() as session:
        return [
            [p.name, p.company, p.city, p.phone, p.description]
            for p in session.scalars(select(Prospect).order_by(Prospect.id)).unique()
        ]


def expected(rows: list[list[str]]) -> list[list[str]]:
    """The sample's rows as prospects: name, company, city, phone, description."""
    header = rows[0]

    def cell(row: list[str], *names: str) -> str:
        for name in names:
            if name in header:
                return row[header.index(name)]
        return ""

    return [
        [
            cell(row, "Nume", "Vardas", "Nom"),
            cell(row, "Companie", "Įmonės pavadinimas", "Société"),
            cell(row, "Localitate", "Miestas", "Ville"),
            cell(row, "Telefon", "Telefonas", "Téléphone"),
            cell(row, "Descriere", "Pastabos", "Commentaire"),
        ]
        for row in rows[1:]
    ]


@pytest.mark.parametrize("delimiter", [";", ",", "\t"], ids=["semicolon", "comma", "tab"])
@pytest.mark.parametrize("encoding", ["code page", "utf-8", "utf-8-sig", "utf-16-le"])
@pytest.mark.parametrize("language", ["ro", "lt", "fr"])
def test_every_encoding_lands_letter_for_letter_through_the_job(
    importer: Importer,
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    work_transfers: Callable[..., Queue],
    language: str,
    encoding: str,
    delimiter: str,
) -> None:
    rows, code_page = SAMPLES[language]
    if encoding != "code page" and language == "ro":
        rows = ROMANIAN_COMMA
    path = write_csv(
        tmp_path / "leads.csv", rows, code_page if encoding == "code page" else encoding, delimiter
    )
    import_id = importer.upload(path, language=language)
    draft = importer.draft(import_id)
    assert draft.layout["delimiter"] == delimiter
    importer.queue(import_id, duplicates="skip", match_on=["phone"])

    queue = work_transfers(import_id)

    assert queue.failed_job_registry.count == 0
    done = importer.draft(import_id)
    assert (done.status, done.created_count, done.failed_count) == ("done", len(rows) - 1, 0)
    assert landed(session_factory) == expected(rows)


def test_xlsx_and_legacy_xls_land_through_the_job(
    importer: Importer, session_factory: sessionmaker[Session], work_transfers: Callable[..., Queue]
) -> None:
    for name in ("leads_libreoffice.xlsx", "leads.xls"):
        import_id = importer.upload(FIXTURES / name, language="ro")
        draft = importer.draft(import_id)
        assert draft.layout["format"] == name.rsplit(".", 1)[1]
        assert draft.mapping[:4] == ["name", "company", "phone", "postal_code"]
        importer.queue(import_id, duplicates="create", match_on=[])
        work_transfers(import_id)
        assert importer.draft(import_id).created_count == 3, name
    with session_factory() as session:
        found = [
            (p.name, p.company, p.phone, p.postal_code)
            for p in session.scalars(select(Prospect).order_by(Prospect.id)).unique()
        ]
    rows = [
        ("Ştefan Ţăranu", "Agro Câmpia SRL", "722123456", "010101"),
        ("Ștefan Țăranu", "Ąžuolų ūkis", "37061234567", "LT-44280"),
        ("Hélène Dupré", "Cœur & Fils", "+33 6 12 34 56 78", "75002"),
    ]
    assert found == rows + rows


def test_the_job_is_trusted_and_a_second_enqueue_of_one_run_is_ignored(
    importer: Importer,
    tmp_path: Path,
    work_transfers: Callable[..., Queue],
    count_prospects,  # type: ignore[no-untyped-def]
) -> None:
    assert RUN_IMPORT in KNOWN_JOBS
    rows, code_page = SAMPLES["fr"]
    import_id = importer.upload(write_csv(tmp_path / "fr.csv", rows, code_page))
    importer.queue(import_id, duplicates="create", match_on=[])
    work_transfers(import_id)
    work_transfers(import_id)  # the same run again (a double click): already done, nothing more
    assert count_prospects() == 3
    assert importer.draft(import_id).created_count == 3


def test_files_past_their_retention_are_deleted_and_the_import_stays(
    importer: Importer, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    rows, code_page = SAMPLES["lt"]
    old = importer.upload(write_csv(tmp_path / "old.csv", rows, code_page))
    fresh = importer.upload(write_csv(tmp_path / "fresh.csv", rows, code_page))
    with transaction(session_factory) as session:
        session.get(Import, old).file_expires_at = now() - timedelta(minutes=1)
    old_path, fresh_path = Path(importer.draft(old).stored_path), Path(importer.draft(fresh).stored_path)
    with transaction(session_factory) as session:
        assert delete_expired_files(session) == 1
    assert not old_path.exists() and fresh_path.exists()
    record = importer.draft(old)
    assert (record.stored_path, record.file_deleted_at is not None, record.file_name) == ("", True, "old.csv")


def test_the_daily_job_deletes_expired_files_and_schedules_the_next_day(
    importer: Importer,
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    database_url: str,
    redis: Redis,
) -> None:
    rows, code_page = SAMPLES["fr"]
    old = importer.upload(write_csv(tmp_path / "old.csv", rows, code_page))
    with transaction(session_factory) as session:
        session.get(Import, old).file_expires_at = now() - timedelta(days=1)
    stored = Path(importer.draft(old).stored_path)
    runtime.configure(database_url)
    queue = maintenance_queue(redis)
    queue.enqueue(DELETE_EXPIRED_FILES, job_id="cleanup-now")
    LeadWorker([queue], connection=redis, serializer="json").work(
        burst=True, with_scheduler=False, logging_level="WARNING"
    )
    assert queue.failed_job_registry.count == 0
    assert not stored.exists() and importer.draft(old).file_deleted_at is not None
    tomorrow = schedule_file_cleanup(queue, runtime.zone())  # already scheduled by the run: kept once
    assert Job.exists(tomorrow, connection=redis)
    scheduled = ScheduledJobRegistry(queue=queue).get_job_ids()
    # (The worker's maintenance also keeps the outbox sweep scheduled.)
    assert [job_id for job_id in scheduled if job_id.startswith("daily-delete")] == [tomorrow]
