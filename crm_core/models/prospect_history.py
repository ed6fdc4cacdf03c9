"""Who changed what on a prospect, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.models.base import Base, UTCDateTime, utcnow
from crm_core.models.users import User


class ProspectChange(Base):
    __tablename__ = "prospect_history"
    __table_args__ = (Index("ix_prospect_history_prospect_created", "prospect_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prospect_id: Mapped[int] = mapped_column(ForeignKey("prospects.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))  # created | updated | submission
    # Set when a web submission was attached to an existing prospect: one entry
    # per submission, however often its job runs.
    submission_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # {field: [old, new]} as people read them ("New" → "Qualified", not ids),
    # so the history stays true after a status or user is renamed or removed.
    changes: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")
