"""What is in the submission queue, for the admin "Submissions" page: counts per
state, failed jobs with their error, and the spam quarantine — plus the retry,
discard and release actions on them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from capture.public.spam import quarantine_key
from worker.queues import enqueue_submission


@dataclass(frozen=True)
class FailedSubmission:
    job_id: str
    form_key: str
    visitor: str
    error: str
    failed_at: str


@dataclass(frozen=True)
class QuarantinedSubmission:
    index: int
    raw: str
    form_key: str
    reason: str
    at: str
    visitor: str


def _visitor(payload: dict[str, Any]) -> str:
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


def counts(connection: Redis, queue: Queue) -> dict[str, int]:
    def number(key: str) -> int:
        return int(connection.get(key) or 0)

    return {
        "accepted": number("lc:stats:submissions"),
        "queued": queue.count,
        "retrying": ScheduledJobRegistry(queue=queue).count,
        "processing": StartedJobRegistry(queue=queue).count,
        "failed": FailedJobRegistry(queue=queue).count,
        "spam": number("lc:stats:spam"),
    }


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
                visitor=_visitor(payload),
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


def quarantined(connection: Redis, form_keys: list[str], limit: int = 50) -> list[QuarantinedSubmission]:
    found = []
    for form_key in form_keys:
        for index, raw in enumerate(connection.lrange(quarantine_key(form_key), 0, limit - 1)):
            entry = json.loads(raw)
            found.append(
                QuarantinedSubmission(
                    index=index,
                    raw=raw.decode(),
                    form_key=form_key,
                    reason=entry.get("reason", ""),
                    at=entry.get("at", "")[:19].replace("T", " "),
                    visitor=_visitor(entry.get("payload", {})),
                )
            )
    return sorted(found, key=lambda item: item.at, reverse=True)[:limit]


def release(connection: Redis, queue: Queue, form_key: str, raw: str) -> bool:
    """A person judged it a real lead: queue it as if it had just been accepted."""
    if not connection.lrem(quarantine_key(form_key), 1, raw):
        return False
    enqueue_submission(queue, json.loads(raw)["payload"])
    return True


def discard_quarantined(connection: Redis, form_key: str, raw: str) -> bool:
    return bool(connection.lrem(quarantine_key(form_key), 1, raw))
