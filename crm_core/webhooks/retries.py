"""When a failed delivery is tried again, and which answers are worth it.

After the n-th failed attempt the next waits ``RETRY_DELAYS[n-1]`` (5 s,
5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h: ten attempts over about
three days), or longer when the receiver's ``Retry-After`` asks for it (up to
a day). Network errors, timeouts, 408, 429 and 5xx are retried; any other
answer is final for that delivery (a redirect is never followed). 410 Gone
disables the endpoint; so do five days of nothing but failures."""

from __future__ import annotations

from datetime import timedelta

RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
MAX_RETRY_AFTER = 86400
DISABLE_AFTER = timedelta(days=5)
RETRYABLE_STATUSES = frozenset({408, 429})


def succeeded(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def retryable(status: int | None) -> bool:
    """No answer at all (network error, timeout, refused address) or a
    temporary refusal."""
    return status is None or status in RETRYABLE_STATUSES or 500 <= status < 600


def next_delay(attempts: int, retry_after: int | None) -> int | None:
    """Seconds until the next attempt after ``attempts`` failed ones, or
    ``None`` when they are used up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS[attempts - 1]
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay
