"""Queue names, retry policy, the job hash and how jobs are enqueued — in one
module so the web app can enqueue by dotted path without importing any job
code. The worker class and its maintenance timings are in ``worker.workers``;
the registries the admin reads, in ``worker.registries``."""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.utils import now, utcformat

SUBMISSIONS = "submissions"
# Events handed out, webhooks and mails sent (after submissions: a lead first).
OUTBOUND = "outbound"
# Work that is not a visitor's submission: daily housekeeping (offer expiry),
# the minute sweep of the outbox.
MAINTENANCE = "maintenance"
PROCESS_SUBMISSION = "worker.jobs.process_submission"
EXPIRE_OFFERS = "worker.periodic.expire_offers"
DISPATCH_EVENTS = "worker.dispatching.dispatch_events"
RECORD_QUARANTINED = "worker.dispatching.record_quarantined"
DELIVER_WEBHOOK = "worker.deliveries.deliver_webhook"
SEND_MAIL = "worker.mails.send_mail"
SWEEP_OUTBOX = "worker.sweep.sweep_outbox"
PURGE_OUTBOX = "worker.sweep.purge_outbox"

# The only callables a Leadcapture worker agrees to run (the queue is a trust boundary).
KNOWN_JOBS = frozenset(
    {
        PROCESS_SUBMISSION, EXPIRE_OFFERS, DISPATCH_EVENTS, RECORD_QUARANTINED, DELIVER_WEBHOOK, SEND_MAIL,
        SWEEP_OUTBOX, PURGE_OUTBOX,
    }
)  # fmt: skip

# 12 tries, 1 s to 30 min apart (over an hour in all): a database outage of many
# minutes exhausts no job, the first retries come quickly once it is back, and
# each retry also covers a job orphaned by a killed worker. README "Delivery
# contract" says the same.
RETRY_INTERVALS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800]
JOB_TIMEOUT = 15  # one insert; short so a job orphaned by a killed worker is retried soon
RESULT_TTL = 3600  # keep finished jobs an hour, so a late duplicate is still seen as one
FAILURE_TTL = 30 * 24 * 3600


def submissions_queue(connection: Redis) -> Queue:
    return Queue(SUBMISSIONS, connection=connection, serializer=JSONSerializer)


def maintenance_queue(connection: Redis) -> Queue:
    return Queue(MAINTENANCE, connection=connection, serializer=JSONSerializer)


def outbound_queue(connection: Redis) -> Queue:
    return Queue(OUTBOUND, connection=connection, serializer=JSONSerializer)


def submission_job(queue: Queue, payload: dict[str, Any]) -> Job:
    """The RQ job for one submission, built but not saved: the web app stores it
    together with its rate-limit and duplicate checks in one Redis round trip."""
    job = queue.create_job(
        PROCESS_SUBMISSION,
        args=(payload,),
        job_id=payload["submission_id"],
        retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        timeout=JOB_TIMEOUT,
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        description=job_description(payload),
    )
    job.origin = queue.name
    job.enqueued_at = now()
    return job


def job_description(payload: dict[str, Any]) -> str:
    return f"submission {payload['submission_id']} for form {payload['form_key']}"


class SubmissionJobHash:
    """The Redis hash RQ stores for a submission job, built without an RQ ``Job``.

    Building a ``Job`` and calling ``to_dict`` cost the web process ~90 µs per
    submission (and compressed data that was then thrown away). Every field
    but four is the same for all submissions, so RQ itself computes them once,
    from a prototype job; each submission adds only its data, timestamps and
    description. ``tests/test_admission.py`` holds this equal to RQ's own hash."""

    PER_SUBMISSION = ("data", "created_at", "enqueued_at", "description")
    _PROTOTYPE_ID = "00000000-0000-0000-0000-000000000000"

    def __init__(self, queue: Queue):
        prototype = submission_job(queue, {"submission_id": self._PROTOTYPE_ID, "form_key": "-"})
        self.shared: dict[str, str] = {
            name: str(value.value if isinstance(value, Enum) else value)
            for name, value in prototype.to_dict().items()
            if name not in self.PER_SUBMISSION and value not in (None, "")
        }
        self.key_prefix = prototype.key.removesuffix(self._PROTOTYPE_ID)

    def key(self, job_id: str) -> str:
        return self.key_prefix + job_id

    @staticmethod
    def per_submission(payload: dict[str, Any]) -> dict[str, str]:
        """RQ's JSON serializer writes ``(func, instance, args, kwargs)``; RQ reads
        data that is not zlib-compressed as it is."""
        stamp = utcformat(now())
        return {
            "data": json.dumps([PROCESS_SUBMISSION, None, [payload], {}]),
            "created_at": stamp,
            "enqueued_at": stamp,
            "description": job_description(payload),
        }


def enqueue_submission(queue: Queue, payload: dict[str, Any]) -> bool:
    """Queue one submission under its id with RQ's own unique enqueue; ``False``
    if that id is already queued or done (used by scripts and tests)."""
    try:
        queue.enqueue_job(submission_job(queue, payload), unique=True)
    except DuplicateJobError:
        return False
    return True
