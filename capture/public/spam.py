"""Submissions judged to be spam: counted, and — unless a honeypot proved a bot —
kept for review, so a real lead caught by a timing check is never lost; and the
review itself (the admin's "Submissions" page): list, release, discard."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from rq import Queue

from capture import redis_keys
from worker.enqueueing import quarantined_event_job
from worker.queues import enqueue_submission
from worker.registries import visitor_summary

QUARANTINE_SIZE = 1000


@dataclass(frozen=True)
class QuarantinedSubmission:
    index: int
    raw: str
    form_key: str
    reason: str
    at: str
    visitor: str


def quarantine(connection: Redis, form_key: str, reason: str, payload: dict[str, Any]) -> None:
    """Counts it and, unless a honeypot proved a bot, keeps it for review and
    queues the job that records ``submission.quarantined`` for webhooks — in
    the same round trip, with no database work here."""
    pipe = connection.pipeline(transaction=False)
    if payload:
        at = datetime.now(UTC).isoformat()
        # First in the pipeline: RQ turns it into a MULTI/EXEC transaction.
        quarantined_event_job(connection, pipe, quarantined_event(form_key, reason, at, payload))
        entry = {"reason": reason, "at": at, "payload": payload}
        pipe.lpush(redis_keys.quarantine(form_key), json.dumps(entry, separators=(",", ":")))
        pipe.ltrim(redis_keys.quarantine(form_key), 0, QUARANTINE_SIZE - 1)
    pipe.incr(redis_keys.stat("spam", form_key))
    pipe.incr(redis_keys.stat("spam"))
    pipe.execute()


def quarantined_event(form_key: str, reason: str, at: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The event's data: which submission, why, and what the visitor typed."""
    return {
        "submission_id": payload.get("submission_id"),
        "form_key": form_key,
        "form_id": payload.get("form_id"),
        "reason": reason,
        "at": at,
        "values": payload.get("values", {}),
    }


def quarantined(connection: Redis, form_keys: list[str], limit: int = 50) -> list[QuarantinedSubmission]:
    found = []
    for form_key in form_keys:
        for index, raw in enumerate(connection.lrange(redis_keys.quarantine(form_key), 0, limit - 1)):
            entry = json.loads(raw)
            found.append(
                QuarantinedSubmission(
                    index=index,
                    raw=raw.decode(),
                    form_key=form_key,
                    reason=entry.get("reason", ""),
                    at=entry.get("at", "")[:19].replace("T", " "),
                    visitor=visitor_summary(entry.get("payload", {})),
                )
            )
    return sorted(found, key=lambda item: item.at, reverse=True)[:limit]


def release(connection: Redis, queue: Queue, form_key: str, raw: str) -> bool:
    """A person judged it a real lead: queue it as if it had just been accepted."""
    if not connection.lrem(redis_keys.quarantine(form_key), 1, raw):
        return False
    enqueue_submission(queue, json.loads(raw)["payload"])
    return True


def discard_quarantined(connection: Redis, form_key: str, raw: str) -> bool:
    return bool(connection.lrem(redis_keys.quarantine(form_key), 1, raw))
