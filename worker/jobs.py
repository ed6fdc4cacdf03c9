"""Job functions. Each takes plain JSON and is safe to run more than once."""

from __future__ import annotations

import logging
from typing import Any

from rq import get_current_job

from crm_core.db import transaction
from crm_core.prospects import create_prospects_from_submissions
from worker.batches import current_batch
from worker.queues import RETRY_INTERVALS
from worker.runtime import session_factory

log = logging.getLogger(__name__)


def process_submission(payload: dict[str, Any]) -> dict[str, Any]:
    """Turn one accepted submission into its prospect. Database errors propagate
    so RQ retries the job with backoff; a re-run finds the prospect and stops."""
    attempt = _attempt()
    batch = current_batch.get()
    riders = batch.payloads if batch is not None else []
    with transaction(session_factory()) as session:
        created = create_prospects_from_submissions(session, [payload, *riders])
    if batch is not None:
        batch.committed = True
    log.info(
        "submission %s attempt %d (+%d batched): %d prospect(s) created, %d already there",
        payload["submission_id"],
        attempt,
        len(riders),
        created,
        1 + len(riders) - created,
    )
    return {"created": created, "attempt": attempt, "batched": len(riders)}


def _attempt() -> int:
    """1 for the first run; more when RQ retried the job (after an error or a killed worker)."""
    job = get_current_job()
    if job is None or job.retries_left is None:
        return 1
    return len(RETRY_INTERVALS) - job.retries_left + 1
