"""A note on a prospect (later an account or offer): free text, shown as text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.db import Base, UTCDateTime, utcnow
from crm_core.parents import HasParent
from crm_core.users.models import User

MAX_NOTE = 20_000


class Note(HasParent, Base):
    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_parent_created", "parent_type", "parent_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")
