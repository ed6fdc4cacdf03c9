"""Submissions judged to be spam: counted, and — unless a honeypot proved a bot —
kept for review, so a real lead caught by a timing check is never lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from redis import Redis

QUARANTINE_SIZE = 1000


def quarantine_key(form_key: str) -> str:
    return f"lc:spam:{form_key}"


def quarantine(connection: Redis, form_key: str, reason: str, payload: dict[str, Any]) -> None:
    pipe = connection.pipeline(transaction=False)
    pipe.incr(f"lc:stats:spam:{form_key}")
    pipe.incr("lc:stats:spam")
    if payload:
        entry = {"reason": reason, "at": datetime.now(UTC).isoformat(), "payload": payload}
        pipe.lpush(quarantine_key(form_key), json.dumps(entry, separators=(",", ":")))
        pipe.ltrim(quarantine_key(form_key), 0, QUARANTINE_SIZE - 1)
    pipe.execute()
