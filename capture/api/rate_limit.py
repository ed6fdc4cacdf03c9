"""Requests per token in fixed windows, counted in Redis so every gunicorn
process and instance shares one count: ``API_RATE_LIMIT`` (``600/60``)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from redis import Redis

from capture import redis_keys


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    remaining: int
    retry_after: int  # seconds until the window ends (only meaningful when refused)


def count_request(redis: Redis, token_id: int, limit: int, window: int, now: float | None = None) -> Verdict:
    """Count one request of the token; refused when the window already has ``limit``.
    One round trip: INCR and EXPIRE in a transaction."""
    now = time.time() if now is None else now
    window_number = int(now // window)
    key = redis_keys.api_requests(token_id, window_number)
    pipe = redis.pipeline(transaction=True)
    pipe.incr(key)
    pipe.expire(key, window + 1)
    used, _ = pipe.execute()
    retry_after = max(1, math.ceil((window_number + 1) * window - now))
    return Verdict(allowed=used <= limit, remaining=max(0, limit - used), retry_after=retry_after)
