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
SUBMISSIONS = "submissions"
# Events handed out, webhooks and mails sent (after submissions: a lead first).
OUTBOUND = "outbound"
# Imports and XLSX exports: long jobs (minutes), after the submissions and the
# outbound events in each worker's order.
TRANSFERS = "transfers"
# Work that is not a visitor's submission: daily housekeeping (offer expiry, old
# files), the minute sweep of the outbox.
MAINTENANCE = "maintenance"
PROCESS_SUBMISSION = "worker.jobs.process_submission"
EXPIRE_OFFERS = "worker.periodic.expire_offers"
DISPATCH_EVENTS = "worker.dispatching.dispatch_events"
RECORD_QUARANTINED = "worker.dispatching.record_quarantined"
DELIVER_WEBHOOK = "worker.deliveries.deliver_webhook"
SEND_MAIL = "worker.mails.send_mail"
SWEEP_OUTBOX = "worker.sweep.sweep_outbox"
PURGE_OUTBOX = "worker.sweep.purge_outbox"
RUN_IMPORT = "worker.transfers.run_import"
RUN_EXPORT = "worker.transfers.run_export"
DELETE_EXPIRED_FILES = "worker.periodic.delete_expired_files"

# The only callables a Leadcapture worker agrees to run (the queue is a trust boundary).
KNOWN_JOBS = frozenset(
    {
        PROCESS_SUBMISSION, EXPIRE_OFFERS, DISPATCH_EVENTS, RECORD_QUARANTINED, DELIVER_WEBHOOK, SEND_MAIL,
        SWEEP_OUTBOX, PURGE_OUTBOX, RUN_IMPORT, RUN_EXPORT, DELETE_EXPIRED_FILES,
    }
)  # fmt: skip
# Jobs that run for minutes: the worker keeps their heartbeat from a thread, every
# TRANSFER_HEARTBEAT_EVERY seconds, so a killed worker's transfer is retried within about
# TRANSFER_HEARTBEAT + the maintenance interval, however long the job may run.
LONG_JOBS = frozenset({RUN_IMPORT, RUN_EXPORT})
TRANSFER_TIMEOUT = 6 * 3600
TRANSFER_HEARTBEAT = 45
TRANSFER_HEARTBEAT_EVERY = 10

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


def transfers_queue(connection: Redis) -> Queue:
    return Queue(TRANSFERS, connection=connection, serializer=JSONSerializer)


def enqueue_import(queue: Queue, import_id: int, run: int) -> Job:
    """The job of one run of an import (its id names the run, so a second click queues nothing)."""
    return _enqueue_transfer(
        queue, RUN_IMPORT, import_id, f"import-{import_id}-{run}", f"import #{import_id}"
    )


def enqueue_export(queue: Queue, export_id: int) -> Job:
    return _enqueue_transfer(queue, RUN_EXPORT, export_id, f"export-{export_id}", f"export #{export_id}")


def _enqueue_transfer(queue: Queue, func: str, record_id: int, job_id: str, description: str) -> Job:
    job = queue.create_job(
        func,
        args=(record_id,),
        job_id=job_id,
        # The same retries as a submission: a database outage or a killed worker delays it.
        retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        timeout=TRANSFER_TIMEOUT,
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        description=description,
    )
    try:
        return queue.enqueue_job(job, unique=True)
    except DuplicateJobError:
        return job


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
