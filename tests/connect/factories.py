"""Small factories for the connect tests: an endpoint made through the
domain service (as the admin page does), and reading deliveries back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.models import Role, User
from crm_core.settings import Settings
from crm_core.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from crm_core.webhooks.secret_box import SecretBox
from crm_core.webhooks.services import create_endpoint


def add_user(factory: sessionmaker[Session], email: str, role: Role = Role.ADMIN, **extra: Any) -> User:
    with transaction(factory) as session:
        user = User(email=email, name=extra.pop("name", email.split("@")[0].title()), role=role,
                    password_hash="x", **extra)  # fmt: skip
        session.add(user)
        session.flush()
        session.expunge(user)
    return user


def add_endpoint(
    factory: sessionmaker[Session], settings: Settings, url: str, events: list[str] | None = None
) -> tuple[int, str]:
    with transaction(factory) as session:
        actor = session.scalar(select(User).where(User.role == Role.ADMIN)) or User(id=None)
        endpoint, secret = create_endpoint(
            session,
            SecretBox(settings.secret_key),
            settings.webhook_targets,
            actor,
            {"url": url, "events": events or ["prospect.created"], "active": True},
        )
        return endpoint.id, secret


def deliveries(factory: sessionmaker[Session]) -> list[WebhookDelivery]:
    with factory() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def attempts(factory: sessionmaker[Session]) -> list[WebhookAttempt]:
    with factory() as session:
        return list(session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)))


def endpoint(factory: sessionmaker[Session], endpoint_id: int) -> WebhookEndpoint:
    with factory() as session:
        found = session.get(WebhookEndpoint, endpoint_id)
        assert found is not None
        return found


def connect_ids(session: Session, form_id: int) -> dict[str, int]:
    """Rows for the webhook and outbox admin URLs (``tests/admin/test_access.py``)."""
    from crm_core.notifications.models import MailState, OutboxMail
    from crm_core.webhooks.models import DeliveryState

    endpoint = WebhookEndpoint(
        url="https://93.184.216.34/hook",
        events=["prospect.created"],
        active=True,
        secret_encrypted="unreadable",
        disabled_reason="",
    )
    session.add(endpoint)
    session.flush()
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id, event_id="evt_access", event_type="prospect.created", body="{}",
        state=DeliveryState.FAILED, attempts=1, last_error="",
    )  # fmt: skip
    mail = OutboxMail(
        dedupe_key="access", kind="new_prospect", recipient="a@example.com", subject="S", text="T",
        html="<p>H</p>", state=MailState.HELD,
    )  # fmt: skip
    session.add_all([delivery, mail])
    session.commit()
    return {"endpoint_id": endpoint.id, "delivery_id": delivery.id, "mail_id": mail.id}
