"""The transfer jobs: run an import, write an XLSX export. Each takes a record id (JSON) and
is safe to run again: an import carries on after its last committed row
(``crm_core.transfer.importing``), an export is written anew. The worker keeps their
heartbeat while they run (``worker.workers``), so a killed worker's job is retried soon."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs

from rq import get_current_job
from sqlalchemy import update

from crm_core.db import transaction, utcnow
from crm_core.prospects.filters import parse_filter
from crm_core.transfer.exporting import write_prospects_xlsx
from crm_core.transfer.importing import ImportRun
from crm_core.transfer.models import Export, ExportStatus
from crm_core.transfer.services import fail_import
from crm_core.users.models import User
from worker import runtime

log = logging.getLogger(__name__)


def run_import(import_id: int) -> dict[str, Any]:
    try:
        status = ImportRun(runtime.session_factory(), import_id, zone=runtime.zone()).run()
    except Exception as exc:
        if _last_attempt():
            with transaction(runtime.session_factory()) as session:
                fail_import(
                    session, import_id, f"The import stopped with an error: {type(exc).__name__}: {exc}"
                )
        raise  # RQ retries with backoff (a database outage); the import resumes where it stopped
    log.info("import %s: %s", import_id, status)
    return {"import_id": import_id, "status": status}


def run_export(export_id: int) -> dict[str, Any]:
    factory = runtime.session_factory()
    with transaction(factory) as session:
        record = session.get(Export, export_id)
        if record is None or record.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
            return {"export_id": export_id, "status": record.status if record else "missing"}
        record.status = ExportStatus.RUNNING
    try:
        with factory() as session:
            record = session.get(Export, export_id)
            assert record is not None
            viewer = session.get(User, record.user_id) if record.user_id is not None else None
            if viewer is None or not viewer.active:
                rows, message, status = (
                    0,
                    "The user who asked for this export can no longer sign in.",
                    ExportStatus.FAILED,
                )
            else:
                flt, _errors = parse_filter(_query_args(record.query))
                rows = write_prospects_xlsx(session, viewer, flt, record.language, record.stored_path)
                message, status = "", ExportStatus.DONE
    except Exception as exc:
        if _last_attempt():
            _finish_export(export_id, ExportStatus.FAILED, 0, f"{type(exc).__name__}: {exc}")
        raise
    _finish_export(export_id, status, rows, message)
    log.info("export %s: %s, %d rows", export_id, status, rows)
    return {"export_id": export_id, "status": status, "rows": rows}


def _finish_export(export_id: int, status: str, rows: int, message: str) -> None:
    with transaction(runtime.session_factory()) as session:
        session.execute(
            update(Export)
            .where(Export.id == export_id)
            .values(status=status, rows=rows, message=message[:2000], finished_at=utcnow())
        )


def _query_args(query: str) -> dict[str, list[str]]:
    return parse_qs(query, keep_blank_values=False)


def _last_attempt() -> bool:
    """True when RQ will not retry this job after it fails now."""
    job = get_current_job()
    return job is None or not job.retries_left
