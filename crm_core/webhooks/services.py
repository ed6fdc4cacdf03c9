"""Changing webhooks: endpoints (create, edit, rotate the secret), and each
delivery's life — claimed for an attempt, its outcome recorded with the next
attempt scheduled or the endpoint disabled, redelivered by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from crm_core.clock import now
from crm_core.errors import DomainError, ValidationFailed
from crm_core.notifications.planning import endpoint_disabled_mails
from crm_core.notifications.services import MailContext
from crm_core.users.models import User
from crm_core.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from crm_core.webhooks.queries import get_delivery, get_endpoint
from crm_core.webhooks.retries import DISABLE_AFTER, next_delay, retryable, succeeded
from crm_core.webhooks.schemas import EndpointSchema
from crm_core.webhooks.secret_box import SecretBox
from crm_core.webhooks.signing import new_secret
from crm_core.webhooks.targets import TargetPolicy, url_problem
from crm_core.webhooks.transport import Answer

# A claimed delivery returns to the queue if its worker has not recorded an
# outcome by then (killed mid-send): longer than the 15 s timeout plus the job's margins.
LEASE = timedelta(seconds=60)
# RQ's scheduler keeps whole seconds and several hosts' clocks differ a little:
# a retry job may start up to this much before its row's time.
EARLY = timedelta(seconds=2)


def _load(form: dict[str, Any], policy: TargetPolicy) -> dict[str, Any]:
    try:
        data: dict[str, Any] = EndpointSchema().load(form)
    except ValidationError as exc:
        raise ValidationFailed({k: list(v) for k, v in exc.messages.items()}) from exc  # type: ignore[union-attr]
    data["url"] = data["url"].strip()
    if problem := url_problem(data["url"], policy):
        raise ValidationFailed({"url": [problem]})
    return data


def create_endpoint(
    session: Session, box: SecretBox, policy: TargetPolicy, actor: User, form: dict[str, Any]
) -> tuple[WebhookEndpoint, str]:
    """The endpoint and its secret, in clear text this once."""
    data = _load(form, policy)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        url=data["url"],
        description=data["description"],
        events=data["events"],
        active=data["active"],
        secret_encrypted=box.seal(secret),
        secret_rotated_at=now(),
        disabled_reason="",
        created_by_id=actor.id,
    )
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def update_endpoint(
    session: Session, policy: TargetPolicy, endpoint_id: int, form: dict[str, Any]
) -> tuple[WebhookEndpoint, list[tuple[int, int]]]:
    """Saves the changes; switching an endpoint back on makes the deliveries
    that waited for it due now — returned as (id, attempts) to be queued."""
    endpoint = get_endpoint(session, endpoint_id)
    data = _load(form, policy)
    switched_on = data["active"] and not endpoint.active
    endpoint.url, endpoint.description, endpoint.events = data["url"], data["description"], data["events"]
    endpoint.active = data["active"]
    due: list[tuple[int, int]] = []
    if not data["active"] and not endpoint.disabled_at:
        endpoint.disabled_at, endpoint.disabled_reason = now(), "switched off by an admin"
    if switched_on:
        endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = None, "", None
        moment = now()
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.state == DeliveryState.PENDING)
            .values(next_attempt_at=moment)
        )
        due = [
            (row.id, row.attempts)
            for row in session.execute(
                select(WebhookDelivery.id, WebhookDelivery.attempts).where(
                    WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.state == DeliveryState.PENDING
                )
            )
        ]
    session.flush()
    return endpoint, due


def rotate_secret(session: Session, box: SecretBox, endpoint_id: int) -> str:
    """A new secret, effective for the next attempt; the old one stops working at once."""
    endpoint = get_endpoint(session, endpoint_id)
    secret = new_secret()
    endpoint.secret_encrypted = box.seal(secret)
    endpoint.secret_rotated_at = now()
    session.flush()
    return secret


def redeliver(session: Session, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again (same ``webhook-id`` and body) as soon as a worker can."""
    delivery = get_delivery(session, delivery_id)
    if delivery.endpoint_id != endpoint_id:
        raise DomainError("This delivery belongs to another endpoint.")
    if delivery.state == DeliveryState.SENDING:
        raise DomainError("This delivery is being sent right now.")
    delivery.state = DeliveryState.PENDING
    delivery.next_attempt_at = now()
    delivery.finished_at = None
    session.flush()
    return delivery


# --- The delivering worker's steps ------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    endpoint_id: int
    url: str
    secret_encrypted: str
    event_id: str
    body: str
    attempt: int


def claim_delivery(session: Session, delivery_id: int) -> Claimed | None:
    """Take a due delivery to an active endpoint for one attempt (atomically:
    a duplicate job finds nothing to do)."""
    moment = now()
    claimed = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.state == DeliveryState.PENDING,
            WebhookDelivery.next_attempt_at <= moment + EARLY,
            WebhookDelivery.endpoint_id.in_(
                select(WebhookEndpoint.id).where(WebhookEndpoint.active.is_(True))
            ),
        )
        .values(
            state=DeliveryState.SENDING, attempts=WebhookDelivery.attempts + 1, lease_until=moment + LEASE
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = session.execute(
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.id == delivery_id)
    ).one()
    delivery, endpoint = row
    session.refresh(delivery)
    return Claimed(
        delivery.id, endpoint.id, endpoint.url, endpoint.secret_encrypted, delivery.event_id, delivery.body,
        delivery.attempts,
    )  # fmt: skip


@dataclass
class Outcome:
    state: DeliveryState
    retry_at: datetime | None = None
    disabled: bool = False
    mail_ids: list[int] = field(default_factory=list)


def record_attempt(session: Session, claimed: Claimed, answer: Answer, mails: MailContext) -> Outcome:
    """Logs the attempt and decides what follows: delivered, another attempt
    later, or failed; 410 — or five days without a success — disables the
    endpoint and tells the admins."""
    moment = now()
    delivery = get_delivery(session, claimed.delivery_id)
    endpoint = get_endpoint(session, claimed.endpoint_id)
    outcome = Outcome(DeliveryState.FAILED)
    if succeeded(answer.status):
        outcome.state = DeliveryState.DELIVERED
        endpoint.failing_since = None
    else:
        endpoint.failing_since = endpoint.failing_since or moment
        delay = next_delay(claimed.attempt, answer.retry_after) if retryable(answer.status) else None
        if delay is not None:
            outcome = Outcome(DeliveryState.PENDING, retry_at=moment + timedelta(seconds=delay))
        reason = ""
        if answer.status == 410:
            reason = "the endpoint answered 410 Gone"
        elif moment - endpoint.failing_since >= DISABLE_AFTER:
            reason = f"every delivery has failed since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC (5 days)"
        if reason and endpoint.active:
            endpoint.active = False
            endpoint.disabled_at, endpoint.disabled_reason = moment, reason
            outcome.disabled = True
            sent = endpoint_disabled_mails(session, mails, endpoint.id, endpoint.url, reason, moment)
            outcome.mail_ids = [mail.id for mail in sent]
        if outcome.disabled and outcome.state == DeliveryState.PENDING:
            outcome.retry_at = None  # waits, pending, until the endpoint is switched on again
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            endpoint_id=endpoint.id,
            attempt=claimed.attempt,
            attempted_at=moment,
            status=answer.status,
            duration_ms=answer.duration_ms,
            response_excerpt=answer.excerpt,
            error=answer.error[:500],
            retry_at=outcome.retry_at,
        )
    )
    delivery.state = outcome.state
    delivery.lease_until = None
    delivery.last_status = answer.status
    delivery.last_error = answer.error[:500]
    delivery.next_attempt_at = outcome.retry_at if outcome.state == DeliveryState.PENDING else None
    if outcome.state == DeliveryState.PENDING and outcome.retry_at is None:
        delivery.next_attempt_at = moment  # due again as soon as its endpoint is switched on
    delivery.finished_at = moment if outcome.state != DeliveryState.PENDING else None
    session.flush()
    return outcome


def release_expired_delivery_leases(session: Session) -> int:
    """Deliveries whose worker died mid-attempt are due again now. The
    receiver may have got that attempt already: the retry carries the same
    ``webhook-id``, which is how receivers drop the duplicate."""
    moment = now()
    result = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.state == DeliveryState.SENDING, WebhookDelivery.lease_until < moment)
        .values(state=DeliveryState.PENDING, next_attempt_at=moment, lease_until=None)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def delete_old_deliveries(session: Session, before: datetime) -> int:
    """Finished deliveries (and their log, by cascade) older than the retention."""
    old = select(WebhookDelivery.id).where(
        WebhookDelivery.state.in_((DeliveryState.DELIVERED, DeliveryState.FAILED)),
        WebhookDelivery.finished_at < before,
    )
    session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(old)))
    result = session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(old)))
    return result.rowcount or 0  # type: ignore[attr-defined]
