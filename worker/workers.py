"""The worker class and how a worker process is started."""

from __future__ import annotations

import logging

from redis import Redis
from rq import SimpleWorker
from rq.job import Job
from rq.serializers import JSONSerializer

from worker import runtime
from worker.queues import JOB_TIMEOUT, KNOWN_JOBS, SUBMISSIONS

log = logging.getLogger(__name__)

# A job orphaned by a killed worker is noticed when its heartbeat expires
# (job timeout + HEARTBEAT_MARGIN) at the next maintenance pass, then retried;
# these keep that well under three minutes even on an idle queue.
MAINTENANCE_INTERVAL = 30
WORKER_TTL = 45
HEARTBEAT_MARGIN = 15


class UnknownJobError(RuntimeError):
    pass


class LeadJob(Job):
    """A job that only runs Leadcapture's own functions: the queue is a trust
    boundary, so a job naming any other callable fails without running (and
    without retries)."""

    def perform(self):  # type: ignore[no-untyped-def]
        if self.func_name not in KNOWN_JOBS:
            self.retries_left = 0
            raise UnknownJobError(f"refused job {self.id}: {self.func_name!r} is not a Leadcapture job")
        return super().perform()


class LeadWorker(SimpleWorker):
    """Runs jobs in-process: no fork per job, which drains ~30x faster than
    RQ's forking worker for our short database jobs."""

    job_class = LeadJob

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        # The job runs in this thread, so nothing refreshes its heartbeat while it
        # runs: it must outlive the job's timeout, but no longer than needed.
        return int(job.timeout or JOB_TIMEOUT) + HEARTBEAT_MARGIN


def run_worker(redis_url: str, database_url: str, *, burst: bool = False, name: str | None = None) -> bool:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    runtime.configure(database_url)
    connection = Redis.from_url(redis_url)
    worker = LeadWorker(
        [SUBMISSIONS],
        connection=connection,
        serializer=JSONSerializer,
        name=name,
        maintenance_interval=MAINTENANCE_INTERVAL,
        worker_ttl=WORKER_TTL,
    )
    return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
