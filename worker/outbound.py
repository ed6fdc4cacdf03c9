"""What the outbound jobs need from the settings, built once per worker
process by ``configure`` (``run_worker``; tests call it directly): the box
that opens endpoint secrets, the guarded HTTP transport, the SMTP server
(or none: mails are held for the Outbox page) and the admin's address for links."""

from __future__ import annotations

from dataclasses import dataclass

from crm_core.notifications.services import MailContext
from crm_core.notifications.smtp import SmtpConfig
from crm_core.settings import Settings
from crm_core.webhooks.secret_box import SecretBox
from crm_core.webhooks.transport import WebhookTransport


@dataclass(frozen=True)
class Outbound:
    box: SecretBox
    transport: WebhookTransport
    smtp: SmtpConfig | None
    mails: MailContext
    event_retention_days: int
    delivery_log_retention_days: int


_current: Outbound | None = None


def configure(settings: Settings, transport: WebhookTransport | None = None) -> Outbound:
    global _current
    smtp = settings.smtp
    _current = Outbound(
        box=SecretBox(settings.secret_key),
        transport=transport or WebhookTransport(settings.webhook_targets),
        smtp=smtp,
        mails=MailContext(base_url=settings.public_base_url, smtp_configured=smtp is not None),
        event_retention_days=settings.event_retention_days,
        delivery_log_retention_days=settings.delivery_log_retention_days,
    )
    return _current


def current() -> Outbound:
    if _current is None:
        raise RuntimeError(
            "This worker has no outbound settings: run_worker() (or outbound.configure) sets them."
        )
    return _current
