"""Reading notification settings and the mail outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.errors import NotFound
from crm_core.notifications.models import FormMailOptions, MailState, NotificationPreference, OutboxMail


def preferences(session: Session, user_id: int) -> NotificationPreference:
    """The user's row, or the defaults (every mail, reminders an hour ahead), unsaved."""
    found = session.get(NotificationPreference, user_id)
    if found is not None:
        return found
    return NotificationPreference(
        user_id=user_id,
        new_prospect=True,
        task_assigned=True,
        task_reminder=True,
        webhook_disabled=True,
        reminder_minutes=60,
    )


def form_options(session: Session, form_id: int) -> FormMailOptions:
    found = session.get(FormMailOptions, form_id)
    if found is not None:
        return found
    return FormMailOptions(
        form_id=form_id,
        notify_owner=True,
        extra_recipients=[],
        autoresponder=False,
        autoresponder_subject="",
        autoresponder_text="",
    )


def outbox(session: Session, state: str | None = None, limit: int = 100) -> list[OutboxMail]:
    stmt = select(OutboxMail).order_by(OutboxMail.id.desc()).limit(limit)
    if state:
        stmt = stmt.where(OutboxMail.state == MailState(state))
    return list(session.scalars(stmt))


def outbox_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxMail.state, func.count()).group_by(OutboxMail.state))
    counts = {state.value: 0 for state in MailState}
    counts.update({str(state.value if hasattr(state, "value") else state): n for state, n in rows})
    return counts


def get_mail(session: Session, mail_id: int) -> OutboxMail:
    mail = session.get(OutboxMail, mail_id)
    if mail is None:
        raise NotFound("No such mail in the outbox.")
    return mail


def due_mails(session: Session, moment: datetime, limit: int = 1000) -> list[tuple[int, int]]:
    """(id, attempts) of mails whose (next) attempt is due."""
    rows = session.execute(
        select(OutboxMail.id, OutboxMail.attempts)
        .where(OutboxMail.state == MailState.QUEUED, OutboxMail.next_attempt_at <= moment)
        .order_by(OutboxMail.next_attempt_at)
        .limit(limit)
    )
    return [(row.id, row.attempts) for row in rows]


def recent_autoresponses(session: Session, address: str, since: datetime) -> int:
    return (
        session.scalar(
            select(func.count(OutboxMail.id)).where(
                OutboxMail.recipient == address,
                OutboxMail.kind == "autoresponder",
                OutboxMail.created_at >= since,
            )
        )
        or 0
    )
