"""The mail outbox, each user's notification preferences, each form's mail
options, and the reminders already sent."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db import Base, UTCDateTime, utcnow


class MailState(enum.StrEnum):
    QUEUED = "queued"  # waiting for its (next) attempt at next_attempt_at
    SENDING = "sending"  # claimed by a worker until lease_until
    SENT = "sent"
    FAILED = "failed"  # refused by the SMTP server, or retries exhausted
    HELD = "held"  # no SMTP server configured: kept for the admin's Outbox page


class OutboxMail(Base):
    __tablename__ = "mail_outbox"
    __table_args__ = (
        Index("ix_mail_outbox_due", "state", "next_attempt_at"),
        # The autoresponder's rate limit per address.
        Index("ix_mail_outbox_recipient", "recipient", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # What made it, unique, so a re-run of whatever made it makes no second mail
    # ("evt_…:owner", "reminder:<task>:<due>").
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="en")
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    state: Mapped[MailState] = mapped_column(
        Enum(MailState, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=MailState.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationPreference(Base):
    """Which mails a user receives; a user without a row gets every one."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    new_prospect: Mapped[bool] = mapped_column(Boolean, default=True)
    task_assigned: Mapped[bool] = mapped_column(Boolean, default=True)
    task_reminder: Mapped[bool] = mapped_column(Boolean, default=True)
    webhook_disabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # How long before a task is due its reminder goes out.
    reminder_minutes: Mapped[int] = mapped_column(Integer, default=60)


class FormMailOptions(Base):
    """A form's mails; a form without a row mails its owner about each new
    prospect and nobody else."""

    __tablename__ = "form_mail_options"

    form_id: Mapped[int] = mapped_column(ForeignKey("web_forms.id", ondelete="CASCADE"), primary_key=True)
    notify_owner: Mapped[bool] = mapped_column(Boolean, default=True)
    extra_recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    autoresponder: Mapped[bool] = mapped_column(Boolean, default=False)
    # Admin-authored plain text; empty means the built-in text in the form's language.
    autoresponder_subject: Mapped[str] = mapped_column(String(200), default="")
    autoresponder_text: Mapped[str] = mapped_column(Text, default="")


class TaskReminder(Base):
    """The reminder sent for a task's due moment: once per task, again only
    if the task is moved to another due moment."""

    __tablename__ = "task_reminders"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
