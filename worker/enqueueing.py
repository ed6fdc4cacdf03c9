"""How outbound work goes onto the queue — dispatch wake-ups, webhook
deliveries, mails, the quarantine's event — importable by the web app
(dotted paths only, no job code).

Job ids name the row and the attempt they are for (``whd-<delivery>-<n>``,
``mail-<mail>-<n>``), so the sweep can tell whether a due row already has a
live job; a duplicate job is harmless anyway: it claims nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from redis import Redis
from rq.job import JobStatus
from rq.registry import ScheduledJobRegistry

from worker.queues import (
    DELIVER_WEBHOOK,
    DISPATCH_EVENTS,
    FAILURE_TTL,
    RECORD_QUARANTINED,
    SEND_MAIL,
    outbound_queue,
)

# Set while a dispatch job waits in the queue, unstarted: wake-ups in between
# coalesce into it. The job deletes it when it starts, so a commit after that
# enqueues the next one. Expires in case that job is lost (the sweep covers it).
DISPATCH_QUEUED_KEY = "lc:dispatch:queued"
DELIVERY_TIMEOUT = 40  # the 15 s HTTP timeout, DNS, two transactions
MAIL_TIMEOUT = 75  # the 30 s SMTP timeout, twice over, and two transactions
OUTBOUND_RESULT_TTL = 600
_LIVE = {JobStatus.QUEUED.value, JobStatus.SCHEDULED.value, JobStatus.STARTED.value, JobStatus.DEFERRED.value}


def wake_dispatcher(connection: Redis) -> bool:
    """After a commit that recorded events; ``True`` if a job was queued."""
    if not connection.set(DISPATCH_QUEUED_KEY, "1", nx=True, ex=120):
        return False
    outbound_queue(connection).enqueue(
        DISPATCH_EVENTS, job_timeout=120, result_ttl=OUTBOUND_RESULT_TTL, failure_ttl=FAILURE_TTL
    )
    return True


def delivery_job_id(delivery_id: int, attempt: int) -> str:
    return f"whd-{delivery_id}-{attempt}"


def mail_job_id(mail_id: int, attempt: int) -> str:
    return f"mail-{mail_id}-{attempt}"


def enqueue_deliveries(connection: Redis, due: Iterable[tuple[int, int]], at: datetime | None = None) -> int:
    """(delivery id, attempts so far) → one job each, now or at ``at``."""
    return _enqueue(connection, DELIVER_WEBHOOK, delivery_job_id, DELIVERY_TIMEOUT, due, at)


def enqueue_mails(connection: Redis, due: Iterable[tuple[int, int]], at: datetime | None = None) -> int:
    return _enqueue(connection, SEND_MAIL, mail_job_id, MAIL_TIMEOUT, due, at)


def _enqueue(
    connection: Redis,
    func: str,
    job_id: Any,
    timeout: int,
    due: Iterable[tuple[int, int]],
    at: datetime | None,
) -> int:
    queue = outbound_queue(connection)
    items = list(due)
    if not items:
        return 0
    with connection.pipeline() as pipe:
        for row_id, attempts in items:
            options: dict[str, Any] = {
                "job_id": job_id(row_id, attempts + 1),
                "job_timeout": timeout,
                "result_ttl": OUTBOUND_RESULT_TTL,
                "failure_ttl": FAILURE_TTL,
                "pipeline": pipe,
            }
            if at is None:
                queue.enqueue(func, row_id, **options)
            else:
                queue.enqueue_at(at, func, row_id, **options)
        pipe.execute()
    return len(items)


def without_live_job(connection: Redis, prefix_id: Any, due: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The due rows whose job is missing, finished or failed (lost with a
    killed worker, or never enqueued because the process died after its commit)."""
    if not due:
        return []
    with connection.pipeline(transaction=False) as pipe:
        for row_id, attempts in due:
            pipe.hget(f"rq:job:{prefix_id(row_id, attempts + 1)}", "status")
        statuses = pipe.execute()
    return [
        row
        for row, status in zip(due, statuses, strict=True)
        if (status.decode() if isinstance(status, bytes) else status) not in _LIVE
    ]


def quarantined_event_job(connection: Redis, pipe: Any, data: dict[str, Any]) -> None:
    """Queued in the quarantine's own pipeline: the submit path stays free of
    database work, and the worker records ``submission.quarantined``."""
    outbound_queue(connection).enqueue(
        RECORD_QUARANTINED, data, job_timeout=30, result_ttl=OUTBOUND_RESULT_TTL, failure_ttl=FAILURE_TTL,
        pipeline=pipe,
    )  # fmt: skip


def scheduled_count(connection: Redis) -> int:
    return ScheduledJobRegistry(queue=outbound_queue(connection)).count
