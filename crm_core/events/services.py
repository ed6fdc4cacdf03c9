"""Recording events: every domain service that changes something a webhook or
a notification cares about calls ``record_event`` in its own transaction."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from crm_core.bulk import insert_rows
from crm_core.db import utcnow
from crm_core.events.models import OutboxEvent
from crm_core.events.schemas import EVENT_TYPES

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
EVENTS_RECORDED = "lc_events_recorded"


# Base32 letters → the alphabet above (Crockford's: no i, l, o, u).
_FROM_BASE32 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _ALPHABET)


def new_event_id() -> str:
    """``evt_`` + 26 random characters of ``_ALPHABET`` (130 bits). One call to the OS's
    random source per id: an import records thousands a second."""
    return "evt_" + base64.b32encode(secrets.token_bytes(17)).decode()[:26].translate(_FROM_BASE32)


def record_event(session: Session, event_type: str, data: dict[str, Any]) -> None:
    record_events(session, [(event_type, data)])


def derived_event_id(key: str) -> str:
    """A stable ``evt_`` id for an event whose recording may run twice (a
    retried job): the second insert finds it (``record_event_once``)."""
    digest = hashlib.sha256(key.encode()).digest()
    number = int.from_bytes(digest[:17], "big")
    return "evt_" + "".join(_ALPHABET[(number >> (5 * i)) & 31] for i in range(26))


def record_event_once(session: Session, event_id: str, event_type: str, data: dict[str, Any]) -> bool:
    """Records the event under ``event_id`` unless it is already there."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    if session.scalar(select(OutboxEvent.id).where(OutboxEvent.event_id == event_id)) is not None:
        return False
    session.execute(
        insert(OutboxEvent),
        [{"event_id": event_id, "type": event_type, "occurred_at": utcnow(), "data": data}],
    )
    session.info[EVENTS_RECORDED] = True
    return True


def record_events(session: Session, events: Iterable[tuple[str, dict[str, Any]]]) -> int:
    """One insert for many events (the worker's batches); returns how many."""
    now = utcnow()
    rows = []
    for event_type, data in events:
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event_type!r}")
        rows.append({"event_id": new_event_id(), "type": event_type, "occurred_at": now, "data": data})
    if rows:
        insert_rows(session, OutboxEvent.__table__, rows)  # type: ignore[arg-type]
        session.info[EVENTS_RECORDED] = True  # read by crm_core.events.wakeup after the commit
    return len(rows)
