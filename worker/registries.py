"""What is in the submission queue, read from RQ's own registries: counts per
state, failed jobs with their error, live workers — and the retry and discard
actions on failed jobs. The admin's "Submissions" page and ``/healthz`` read
the queue through here, never through RQ directly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from worker.queues import SUBMISSIONS

WORKER_STALE_AFTER = timedelta(seconds=120)


@dataclass(frozen=True)
class FailedSubmission:
    job_id: str
    form_key: str
    visitor: str
    error: str
    failed_at: str


def visitor_summary(payload: Any) -> str:
    """ "Ana Popescu · ana@example.com": who sent a submission, for people to recognise it."""
    values = payload.get("values", {}) if isinstance(payload, dict) else {}
    return " · ".join(str(values[k]) for k in ("name", "email", "phone", "company") if values.get(k))


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)\b")


def _exception_line(traceback_text: str) -> str:
    """The ``SomeError: message`` line of a traceback, skipping library footers."""
    lines = [line.strip() for line in traceback_text.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if _EXCEPTION_LINE.match(line):
            return line
    return lines[-1] if lines else "unknown error"


def queue_counts(queue: Queue) -> dict[str, int]:
    """Submissions waiting, being retried later, running and failed."""
    return {
        "queued": queue.count,
        "retrying": ScheduledJobRegistry(queue=queue).count,
        "processing": StartedJobRegistry(queue=queue).count,
        "failed": FailedJobRegistry(queue=queue).count,
    }


def live_workers(connection: Redis) -> int:
    """Workers on the submissions queue whose heartbeat is recent."""
    cutoff = datetime.now(UTC) - WORKER_STALE_AFTER
    return sum(
        1
        for worker in Worker.all(connection=connection)
        if SUBMISSIONS in worker.queue_names() and worker.last_heartbeat and worker.last_heartbeat > cutoff
    )


def failed(queue: Queue, limit: int = 100) -> list[FailedSubmission]:
    registry = FailedJobRegistry(queue=queue)
    found = []
    for job_id in registry.get_job_ids(0, limit - 1, desc=True):
        job = queue.fetch_job(job_id)
        if job is None:
            continue
        result = job.latest_result()
        error = (result.exc_string or "") if result else ""
        last_line = _exception_line(error)
        try:
            payload = job.args[0] if job.args else {}
        except Exception:  # data RQ cannot decode (e.g. a pickle): show it, never run it
            payload = {}
        found.append(
            FailedSubmission(
                job_id=job.id,
                form_key=str(payload.get("form_key", "")) if isinstance(payload, dict) else "",
                visitor=visitor_summary(payload),
                error=last_line[:500],
                failed_at=job.ended_at.strftime("%Y-%m-%d %H:%M:%S") if job.ended_at else "",
            )
        )
    return found


def retry_failed(queue: Queue, job_id: str) -> bool:
    try:
        FailedJobRegistry(queue=queue).requeue(job_id)
    except (NoSuchJobError, ValueError):
        return False
    return True


def discard_failed(queue: Queue, job_id: str) -> bool:
    registry = FailedJobRegistry(queue=queue)
    if job_id not in registry.get_job_ids():
        return False
    registry.remove(job_id, delete_job=True)
    return True
