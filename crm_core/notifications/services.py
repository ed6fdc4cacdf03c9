"""Changing notification state: queueing a rendered mail (once per
``dedupe_key``), a user's preferences, a form's mail options, and the
sending worker's claim-and-record steps on the mail outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from crm_core.clock import now
from crm_core.errors import NotFound, ValidationFailed
from crm_core.forms.models import WebForm
from crm_core.notifications.models import FormMailOptions, MailState, NotificationPreference, OutboxMail
from crm_core.notifications.rendering import Rendered
from crm_core.notifications.schemas import FormMailOptionsSchema, PreferencesSchema, split_addresses
from crm_core.users.models import User

# After the n-th failed attempt, wait MAIL_RETRY_DELAYS[n-1] seconds (about two days in all).
MAIL_RETRY_DELAYS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600)
LEASE = timedelta(seconds=120)
EARLY = timedelta(seconds=2)  # RQ's scheduler keeps whole seconds (see webhooks.services)


@dataclass(frozen=True)
class MailContext:
    """What every mail needs from the settings: the admin's public address for
    links, and whether an SMTP server is configured (else mails are held)."""

    base_url: str
    smtp_configured: bool

    def link(self, path: str) -> str:
        return f"{self.base_url}{path}"


def queue_mail(
    session: Session,
    context: MailContext,
    *,
    dedupe_key: str,
    kind: str,
    recipient: str,
    language: str,
    rendered: Rendered,
) -> OutboxMail | None:
    """The new outbox row, or ``None`` when this mail was already queued."""
    if session.scalar(select(OutboxMail.id).where(OutboxMail.dedupe_key == dedupe_key)) is not None:
        return None
    moment = now()
    mail = OutboxMail(
        dedupe_key=dedupe_key[:120],
        kind=kind,
        recipient=recipient,
        language=language,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        state=MailState.QUEUED if context.smtp_configured else MailState.HELD,
        attempts=0,
        next_attempt_at=moment if context.smtp_configured else None,
        error="" if context.smtp_configured else "Not sent: no SMTP server is configured (SMTP_URL).",
        created_at=moment,
    )
    session.add(mail)
    session.flush()
    return mail


def _load(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.load(data)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise ValidationFailed({k: _flat(v) for k, v in exc.messages.items()}) from exc  # type: ignore[union-attr]


def _flat(messages: Any) -> list[str]:
    """A list field's messages come per item (``{1: [...]}``): one list for the field."""
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flat(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flat(value)]
    return [str(messages)]


def save_preferences(session: Session, user_id: int, form: dict[str, Any]) -> NotificationPreference:
    """From the "My notifications" page: the language and which mails to get."""
    data = _load(PreferencesSchema(), form)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    user.language = data.pop("language")
    row = session.get(NotificationPreference, user_id) or NotificationPreference(user_id=user_id)
    for key, value in data.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return row


def save_form_options(session: Session, form_id: int, form: dict[str, Any]) -> FormMailOptions:
    if session.get(WebForm, form_id) is None:
        raise NotFound("No such form.")
    raw = dict(form)
    raw["extra_recipients"] = split_addresses(str(raw.get("extra_recipients", "")))
    data = _load(FormMailOptionsSchema(), raw)
    row = session.get(FormMailOptions, form_id) or FormMailOptions(form_id=form_id)
    for key, value in data.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return row


# --- The sending worker's steps -------------------------------------------------


def claim_mail(session: Session, mail_id: int) -> OutboxMail | None:
    """Take a due mail for one attempt (atomically: a second worker holding a
    duplicate job gets ``None``). The lease returns it to the queue if this
    worker dies before recording the outcome."""
    moment = now()
    claimed = session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.state == MailState.QUEUED,
            OutboxMail.next_attempt_at <= moment + EARLY,
        )
        .values(state=MailState.SENDING, attempts=OutboxMail.attempts + 1, lease_until=moment + LEASE)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    mail = session.get(OutboxMail, mail_id)
    if mail is not None:
        session.refresh(mail)
    return mail


def record_sent(session: Session, mail_id: int) -> None:
    session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id)
        .values(state=MailState.SENT, sent_at=now(), lease_until=None, next_attempt_at=None, error="")
    )


def record_failure(session: Session, mail_id: int, error: str, permanent: bool) -> datetime | None:
    """When the next attempt is due, or ``None`` when the mail has failed for good."""
    mail = session.get(OutboxMail, mail_id)
    if mail is None:
        return None
    retry = None
    if not permanent and mail.attempts <= len(MAIL_RETRY_DELAYS):
        retry = now() + timedelta(seconds=MAIL_RETRY_DELAYS[mail.attempts - 1])
    mail.state = MailState.QUEUED if retry else MailState.FAILED
    mail.next_attempt_at = retry
    mail.lease_until = None
    mail.error = error[:500]
    session.flush()
    return retry


def release_expired_mail_leases(session: Session) -> int:
    """Mails whose worker died mid-send go back to the queue, due now."""
    moment = now()
    result = session.execute(
        update(OutboxMail)
        .where(OutboxMail.state == MailState.SENDING, OutboxMail.lease_until < moment)
        .values(state=MailState.QUEUED, next_attempt_at=moment, lease_until=None)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def delete_old_mails(session: Session, before: datetime) -> int:
    result = session.execute(
        delete(OutboxMail).where(
            OutboxMail.state.in_((MailState.SENT, MailState.FAILED, MailState.HELD)),
            OutboxMail.created_at < before,
        )
    )
    return result.rowcount or 0  # type: ignore[attr-defined]
