"""Handing events out: for each pending event, one webhook delivery per
active endpoint that wants its type (the body fixed now, names expanded) and
the notification mails it calls for — in the same transaction as
``mark_dispatched``, so each is made exactly once."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from crm_core.clock import now
from crm_core.events.payloads import expand
from crm_core.events.queries import envelope, mark_dispatched, pending_events
from crm_core.notifications.planning import mails_for_event
from crm_core.notifications.services import MailContext
from crm_core.webhooks.models import DeliveryState, WebhookDelivery
from crm_core.webhooks.queries import active_endpoints

BATCH = 500


@dataclass
class Dispatched:
    events: int = 0
    deliveries: list[int] = field(default_factory=list)
    mails: list[int] = field(default_factory=list)

    @property
    def more(self) -> bool:
        """A full batch: there may be more waiting."""
        return self.events >= BATCH


def delivery_body(session: Session, event: object) -> str:
    body = dict(envelope(event))  # type: ignore[arg-type]
    body["data"] = expand(session, body["data"])
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def dispatch_pending(session: Session, mails: MailContext, zone: ZoneInfo, limit: int = BATCH) -> Dispatched:
    events = pending_events(session, limit)
    result = Dispatched(events=len(events))
    if not events:
        return result
    endpoints = active_endpoints(session)
    moment = now()
    deliveries: list[WebhookDelivery] = []
    for event in events:
        wanting = [endpoint for endpoint in endpoints if event.type in (endpoint.events or [])]
        if wanting:
            body = delivery_body(session, event)
            deliveries += [
                WebhookDelivery(
                    endpoint_id=endpoint.id,
                    event_id=event.event_id,
                    event_type=event.type,
                    body=body,
                    state=DeliveryState.PENDING,
                    attempts=0,
                    next_attempt_at=moment,
                    last_error="",
                    created_at=moment,
                )
                for endpoint in wanting
            ]
        result.mails += [mail.id for mail in mails_for_event(session, mails, event, zone)]
    session.add_all(deliveries)
    session.flush()
    result.deliveries = [delivery.id for delivery in deliveries]
    mark_dispatched(session, [event.id for event in events])
    return result


def purge_dispatched(session: Session, before: object) -> int:
    """Events handed out before ``before`` (their deliveries keep their own copy)."""
    from sqlalchemy import delete

    from crm_core.events.models import OutboxEvent

    result = session.execute(
        delete(OutboxEvent).where(OutboxEvent.dispatched_at.is_not(None), OutboxEvent.dispatched_at < before)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]
