"""Draining submissions in batches.

RQ's per-job bookkeeping (a dozen Redis round trips and a lot of Python per
job) costs more than inserting the prospect, so when a worker picks up a
submission job it also claims up to ``BATCH_SIZE - 1`` more queued submissions
in one atomic step, inserts all their prospects in one transaction, and
settles them in one pipeline. Claimed jobs sit in RQ's StartedJobRegistry with
a heartbeat expiry like any running job: if the worker dies, RQ's own registry
cleanup retries them, and the idempotent insert keeps each lead single."""

from __future__ import annotations

import contextlib
import json
import zlib
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from redis import Redis
from rq.job import Job, JobStatus
from rq.queue import Queue
from rq.utils import current_timestamp, now, utcformat

BATCH_SIZE = 100

_CLAIM = """
-- KEYS[1] queue list, KEYS[2] started registry; ARGV: max, expiry score, execution id,
-- job key prefix, started_at, worker name. Returns id, data, id, data, ...
local out = {}
for i = 1, tonumber(ARGV[1]) do
  local id = redis.call('LPOP', KEYS[1])
  if not id then break end
  local key = ARGV[4] .. id
  local data = redis.call('HGET', key, 'data')
  if data then
    redis.call('ZADD', KEYS[2], ARGV[2], id .. ':' .. ARGV[3])
    redis.call('HSET', key, 'status', 'started', 'started_at', ARGV[5], 'worker_name', ARGV[6])
    out[#out + 1] = id
    out[#out + 1] = data
  end
end
return out
"""

_FINISH = """
-- KEYS[1] started registry, KEYS[2] finished registry; ARGV: execution id, job key prefix,
-- ended_at, result ttl, finished score, then job ids
for i = 6, #ARGV do
  local id = ARGV[i]
  local key = ARGV[2] .. id
  redis.call('HSET', key, 'status', 'finished', 'ended_at', ARGV[3])
  redis.call('EXPIRE', key, tonumber(ARGV[4]))
  redis.call('ZADD', KEYS[2], ARGV[5], id)
  redis.call('ZREM', KEYS[1], id .. ':' .. ARGV[1])
end
return #ARGV - 5
"""


@dataclass(frozen=True)
class Rider:
    """A claimed job, read straight from its RQ hash without building a Job."""

    job_id: str
    func_name: str
    payload: Any


def _decode(data: bytes) -> tuple[str, Any]:
    with contextlib.suppress(zlib.error):  # RQ stores job data zlib-compressed
        data = zlib.decompress(data)
    func_name, _instance, args, _kwargs = json.loads(data)
    return func_name, (args[0] if args else None)


@dataclass
class Batch:
    """Submissions riding along with the job RQ is running; that job's function
    inserts them too and says whether the transaction committed."""

    riders: list[Rider]
    committed: bool = False
    # Riders the database refused one by one while the others committed: job id -> error.
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def payloads(self) -> list[Any]:
        return [rider.payload for rider in self.riders]


current_batch: ContextVar[Batch | None] = ContextVar("current_batch", default=None)


class BatchClaimer:
    def __init__(self, connection: Redis, heartbeat_ttl: int, result_ttl: int):
        self._connection = connection
        self._claim = connection.register_script(_CLAIM)
        self._finish = connection.register_script(_FINISH)
        self._heartbeat_ttl = heartbeat_ttl
        self._result_ttl = result_ttl
        self._execution_id = f"batch-{uuid4().hex[:12]}"

    def _entry(self, job_id: str) -> str:
        return f"{job_id}:{self._execution_id}"

    def claim(self, queue: Queue, worker_name: str, limit: int) -> list[Rider]:
        if limit <= 0:
            return []
        flat = self._claim(
            keys=[queue.key, queue.started_job_registry.key],
            args=[
                limit,
                current_timestamp() + self._heartbeat_ttl,
                self._execution_id,
                Job.redis_job_namespace_prefix,
                utcformat(now()),
                worker_name,
            ],
        )
        riders = []
        for raw_id, data in zip(flat[::2], flat[1::2], strict=True):
            job_id = raw_id.decode() if isinstance(raw_id, bytes) else raw_id
            try:
                func_name, payload = _decode(data)
            except (ValueError, TypeError):  # not JSON (e.g. a pickle): never run it
                func_name, payload = "<undecodable>", None
            riders.append(Rider(job_id, func_name, payload))
        return riders

    def finish(self, queue: Queue, riders: list[Rider]) -> None:
        self._finish(
            keys=[queue.started_job_registry.key, queue.finished_job_registry.key],
            args=[
                self._execution_id,
                Job.redis_job_namespace_prefix,
                utcformat(now()),
                self._result_ttl,
                current_timestamp() + self._result_ttl,
                *(rider.job_id for rider in riders),
            ],
        )

    def fail(
        self, queue: Queue, riders: list[Rider], worker_name: str, exc_string: str, retry: bool = True
    ) -> None:
        """Put jobs back through RQ's retry policy, or into the failed registry
        (the rare path, so it uses RQ's own Job objects)."""
        ids = [rider.job_id for rider in riders]
        jobs = Job.fetch_many(ids, connection=self._connection, serializer=queue.serializer)
        with self._connection.pipeline() as pipe:
            pipe.zrem(queue.started_job_registry.key, *map(self._entry, ids))
            for job in jobs:
                if job is None:
                    continue
                job.ended_at = now()
                if retry and job.retries_left:
                    job.retry(queue, pipe)
                else:
                    job.set_status(JobStatus.FAILED, pipeline=pipe)
                    job._handle_failure(exc_string, pipeline=pipe, worker_name=worker_name)
            pipe.execute()
