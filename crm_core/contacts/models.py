"""A contact person on a prospect (later on an account): who to call."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db import Base, UTCDateTime, utcnow
from crm_core.parents import HasParent

CONTACT_TEXT_FIELDS: dict[str, int] = {
    "name": 200,
    "job_title": 100,
    "department": 100,
    "phone": 50,
    "email": 254,
}


class Contact(HasParent, Base):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_parent", "parent_type", "parent_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(100), default="")  # "funcție"
    department: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    # One contact per parent is the primary one (the services keep it so).
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
