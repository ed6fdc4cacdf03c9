"""Job functions. Each takes plain JSON and is safe to run more than once."""

from __future__ import annotations

import logging
from typing import Any

from rq import get_current_job
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from crm_core.db import transaction
from crm_core.log_context import SUBMISSIONS_LOGGER
from crm_core.prospects.intake import create_prospects_from_submissions
from worker import runtime
from worker.batches import Batch, current_batch
from worker.queues import RETRY_INTERVALS
from worker.runtime import session_factory

log = logging.getLogger(__name__)
landed = logging.getLogger(SUBMISSIONS_LOGGER)


def process_submission(payload: dict[str, Any]) -> dict[str, Any]:
    """Turn one accepted submission into its prospect. Database errors propagate
    so RQ retries the job with backoff; a re-run finds the prospect and stops."""
    attempt = _attempt()
    batch = current_batch.get()
    riders = batch.payloads if batch is not None else []
    try:
        with transaction(session_factory()) as session:
            created = create_prospects_from_submissions(session, [payload, *riders], runtime.zone())
    except Exception as exc:
        if batch is None or not riders or _unreachable(exc):
            raise  # nothing to tell apart, or a database that is down for everyone: retry them all
        log.warning(
            "batch led by %s failed (%s: %s); inserting its %d submissions one by one",
            payload["submission_id"], type(exc).__name__, exc, 1 + len(riders),
        )  # fmt: skip
        created = _one_by_one(payload, batch)
    if batch is not None:
        batch.committed = True
    feed = landed.isEnabledFor(logging.INFO)
    log.log(
        logging.DEBUG if feed else logging.INFO,  # the feed below says it, one line per submission
        "submission %s attempt %d (+%d batched): %d prospect(s) created, %d already there",
        payload["submission_id"],
        attempt,
        len(riders),
        created,
        1 + len(riders) - created,
    )
    if feed:
        _log_landed(payload, attempt, batch)
    return {"created": created, "attempt": attempt, "batched": len(riders)}


def _log_landed(payload: dict[str, Any], attempt: int, batch: Batch | None) -> None:
    """One line per submission now in the CRM (new, or found already there)."""
    retried = f", attempt {attempt}" if attempt > 1 else ""
    line = "submission %s landed in the CRM (form %s%s)"
    landed.info(line, payload["submission_id"], payload["form_key"], retried)
    if batch is not None:
        for rider in batch.riders:
            if rider.job_id not in batch.refused:
                landed.info(line, rider.payload["submission_id"], rider.payload["form_key"], "")


def _unreachable(exc: Exception) -> bool:
    """The database could not be reached or used at all (not a refusal of one row)."""
    return isinstance(exc, OperationalError | InterfaceError | DisconnectionError)


def _one_by_one(payload: dict[str, Any], batch: Batch) -> int:
    """One submission the database refuses must not hold back the ones batched
    with it: each rider gets its own transaction, a refused one goes back through
    its own retries (``batch.refused``), and the lead's own error propagates to RQ."""
    created = 0
    for rider in batch.riders:
        try:
            with transaction(session_factory()) as session:
                created += create_prospects_from_submissions(session, [rider.payload], runtime.zone())
        except Exception as exc:
            if _unreachable(exc):
                raise  # the riders already in are found again on the retry
            batch.refused[rider.job_id] = f"{type(exc).__name__}: {exc}"
            log.error("submission %s refused by the database: %s", rider.job_id, batch.refused[rider.job_id])
    batch.committed = True  # the riders are settled whatever happens to the lead
    with transaction(session_factory()) as session:
        created += create_prospects_from_submissions(session, [payload], runtime.zone())
    return created


def _attempt() -> int:
    """1 for the first run; more when RQ retried the job (after an error or a killed worker)."""
    job = get_current_job()
    if job is None or job.retries_left is None:
        return 1
    return len(RETRY_INTERVALS) - job.retries_left + 1
