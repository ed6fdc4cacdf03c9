"""Admitting a valid submission: rate limits, duplicate check, saving the RQ
job, pushing it on the queue and counting it — atomically, in one Redis round
trip (a Lua script), so the submit path costs less than a plain RQ enqueue."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

from redis import Redis
from rq import Queue

from worker.queues import submission_job

_SCRIPT = """
-- KEYS: 1 job hash, 2 queue list, 3 rq:queues set, 4 per-form counter, 5 total counter, 6.. rate-limit counters
-- ARGV: 1 job id, 2 queue key, 3 number of limits, then (limit, window) pairs, then the job hash as JSON
local limits = tonumber(ARGV[3])
for i = 1, limits do
  local key = KEYS[5 + i]
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, tonumber(ARGV[3 + 2 * i])) end
  if count > tonumber(ARGV[2 + 2 * i]) then
    return {0, redis.call('TTL', key)}
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {2, 0}
end
local fields = {}
for name, value in pairs(cjson.decode(ARGV[4 + 2 * limits])) do
  fields[#fields + 1] = name
  fields[#fields + 1] = value
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('INCR', KEYS[4])
redis.call('INCR', KEYS[5])
return {1, 0}
"""

QUEUED, LIMITED, DUPLICATE = 1, 0, 2


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` accepted submissions per ``window`` seconds per scope."""

    scope: str  # "ip", "form" or "global"
    limit: int
    window: int

    @classmethod
    def parse(cls, scope: str, text: str) -> RateLimit:
        limit, _, window = text.partition("/")
        return cls(scope, int(limit), int(window or 60))


@dataclass(frozen=True)
class Admission:
    status: int
    retry_after: int = 0

    @property
    def limited(self) -> bool:
        return self.status == LIMITED


def stats_key(kind: str, form_key: str | None = None) -> str:
    return f"lc:stats:{kind}:{form_key}" if form_key else f"lc:stats:{kind}"


class Admitter:
    def __init__(self, connection: Redis, queue: Queue, limits: tuple[RateLimit, ...]):
        self._script = connection.register_script(_SCRIPT)
        self._queue = queue
        self._limits = limits

    def admit(self, payload: dict[str, Any], client_ip: str) -> Admission:
        job = submission_job(self._queue, payload)
        now = int(time.time())
        subjects = {"ip": client_ip, "form": payload["form_key"], "global": "all"}
        limit_keys = [
            f"lc:rl:{limit.scope}:{subjects[limit.scope]}:{now // limit.window}" for limit in self._limits
        ]
        limit_args: list[Any] = []
        for limit in self._limits:
            limit_args += [limit.limit, limit.window]
        # One JSON argument instead of ~60 (redis-py packs each argument in
        # Python); job data stored uncompressed, which RQ reads as well.
        fields = {
            name: str(value.value if isinstance(value, Enum) else value)
            for name, value in job.to_dict().items()
            if name != "data" and value not in (None, "")
        }
        fields["data"] = job.data.decode()
        status, retry_after = self._script(
            keys=[
                job.key,
                self._queue.key,
                self._queue.redis_queues_keys,
                stats_key("submissions", payload["form_key"]),
                stats_key("submissions"),
                *limit_keys,
            ],
            args=[job.id, self._queue.key, len(self._limits), *limit_args, json.dumps(fields)],
        )
        return Admission(int(status), max(int(retry_after), 1))
