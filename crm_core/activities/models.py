"""Calls, emails and meetings: planned ones are upcoming, held / not held ones
are history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, Enum, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.contacts.models import Contact
from crm_core.db import Base, UTCDateTime, utcnow
from crm_core.parents import HasParent
from crm_core.users.models import User


class ActivityKind(enum.StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"


class ActivityStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    NOT_HELD = "not_held"


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


def _enum(cls: type[enum.StrEnum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


activity_contacts = Table(
    "activity_contacts",
    Base.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Activity(HasParent, Base):
    __tablename__ = "activities"
    __table_args__ = (
        # The timeline reads a parent's records newest first, a page at a time.
        Index("ix_activities_parent_created", "parent_type", "parent_id", "created_at", "id"),
        # "My upcoming calls and meetings".
        Index("ix_activities_owner_status_starts", "owner_id", "status", "starts_at"),
        # The owners report: activities held in a range, by owner.
        Index("ix_activities_status_starts", "status", "starts_at", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ActivityKind] = mapped_column(_enum(ActivityKind))
    subject: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[ActivityStatus] = mapped_column(_enum(ActivityStatus), default=ActivityStatus.PLANNED)
    # Calls and emails only.
    direction: Mapped[Direction | None] = mapped_column(_enum(Direction))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    contacts: Mapped[list[Contact]] = relationship(secondary=activity_contacts, lazy="selectin")
