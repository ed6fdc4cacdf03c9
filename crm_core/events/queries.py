"""Reading the outbox: what the dispatcher has not handed out yet, and the
envelope a receiver gets."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_core.db import utcnow
from crm_core.events.models import OutboxEvent
from crm_core.events.schemas import EVENT_VERSION, EventEnvelope


def pending_events(session: Session, limit: int = 500) -> list[OutboxEvent]:
    """Oldest first; on PostgreSQL the rows are locked and skipped by a second
    dispatcher running at the same moment, so each event is handed out once."""
    stmt = (
        select(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None)).order_by(OutboxEvent.id).limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def mark_dispatched(session: Session, ids: list[int]) -> None:
    if ids:
        session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(ids)).values(dispatched_at=utcnow()))


def envelope(event: OutboxEvent) -> EventEnvelope:
    return {
        "id": event.event_id,
        "type": event.type,
        "version": EVENT_VERSION,
        "timestamp": event.occurred_at.isoformat(),
        "data": event.data,
    }
