"""The outbox: one row per domain event, written with the change it describes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db import Base, UTCDateTime, utcnow


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        # The dispatcher reads what is not yet handed out, oldest first.
        Index("ix_outbox_events_pending", "dispatched_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # "evt_<26 chars>": the Standard Webhooks ``webhook-id``, the same for every
    # endpoint and every retry, so receivers can drop duplicates.
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(60))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Set when the dispatcher has created the deliveries (webhooks, mails) for it.
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
