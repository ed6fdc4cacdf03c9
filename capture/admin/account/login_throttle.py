"""Slowing down password guessing: failed logins are counted in Redis per
account and per client address; past the limit, sign-in is refused until the
window ends (no password is even checked meanwhile)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from redis import Redis

from capture import redis_keys

ACCOUNT_LIMIT = 5
IP_LIMIT = 20
WINDOW_SECONDS = 15 * 60


@dataclass
class LoginThrottle:
    redis: Redis
    account_limit: int = ACCOUNT_LIMIT
    ip_limit: int = IP_LIMIT
    window: int = WINDOW_SECONDS

    @staticmethod
    def _account_key(email: str) -> str:
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        return redis_keys.login_failures("account", digest)

    @staticmethod
    def _ip_key(ip: str) -> str:
        return redis_keys.login_failures("ip", ip)

    def _limits(self, email: str, ip: str) -> list[tuple[str, int]]:
        return [(self._account_key(email), self.account_limit), (self._ip_key(ip), self.ip_limit)]

    def wait_minutes(self, email: str, ip: str) -> int:
        """0 when a sign-in may be tried now, else the minutes until it may."""
        longest = 0
        for key, limit in self._limits(email, ip):
            count = self.redis.get(key)
            if count is not None and int(count) >= limit:
                longest = max(longest, self.redis.ttl(key))
        return math.ceil(longest / 60) if longest > 0 else 0

    def record_failure(self, email: str, ip: str) -> None:
        pipe = self.redis.pipeline()
        for key, _limit in self._limits(email, ip):
            # The window starts at the first failure; INCR keeps the expiry.
            pipe.set(key, 0, ex=self.window, nx=True)
            pipe.incr(key)
        pipe.execute()

    def record_success(self, email: str) -> None:
        self.redis.delete(self._account_key(email))
