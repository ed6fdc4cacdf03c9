"""Queue names, retry policy and how jobs are enqueued — in one module so the
web app can enqueue by dotted path without importing any job code."""

from __future__ import annotations

from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.utils import now

SUBMISSIONS = "submissions"
PROCESS_SUBMISSION = "worker.jobs.process_submission"

# The only callables a Leadcapture worker agrees to run (the queue is a trust boundary).
KNOWN_JOBS = frozenset({PROCESS_SUBMISSION})

# Backoff long enough to ride out a database outage of many minutes without
# exhausting retries; each retry also covers a job orphaned by a killed worker.
# 12 tries spread over more than an hour: a database outage of many minutes
# exhausts no job, and the first retries come quickly once it is back.
RETRY_INTERVALS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800]
JOB_TIMEOUT = 15  # one insert; short so a job orphaned by a killed worker is retried soon
RESULT_TTL = 3600  # keep finished jobs an hour, so a late duplicate is still seen as one
FAILURE_TTL = 30 * 24 * 3600


def submissions_queue(connection: Redis) -> Queue:
    return Queue(SUBMISSIONS, connection=connection, serializer=JSONSerializer)


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
        description=f"submission {payload['submission_id']} for form {payload['form_key']}",
    )
    job.origin = queue.name
    job.enqueued_at = now()
    return job


def enqueue_submission(queue: Queue, payload: dict[str, Any]) -> bool:
    """Queue one submission under its id with RQ's own unique enqueue; ``False``
    if that id is already queued or done (used by scripts and tests)."""
    try:
        queue.enqueue_job(submission_job(queue, payload), unique=True)
    except DuplicateJobError:
        return False
    return True
