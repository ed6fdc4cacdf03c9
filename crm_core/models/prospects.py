"""A prospect (lead): the 16 SmartCRM fields plus where and how it was captured."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.models.base import Base, UTCDateTime, utcnow
from crm_core.models.forms import WebForm
from crm_core.models.lookups import Priority, Source, Status
from crm_core.models.users import User

# Visitor-fillable prospect attributes and their column lengths; a form field
# mapped to one of these is capped at the same length.
PROSPECT_TEXT_FIELDS: dict[str, int] = {
    "name": 200,
    "company": 200,
    "trade_register_no": 50,
    "registration_code": 50,
    "address": 300,
    "postal_code": 20,
    "city": 100,
    "county": 100,
    "country": 100,
    "phone": 50,
    "email": 254,
    "description": 5000,
}

ATTRIBUTION_PARAMS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "gclid",
    "fbclid",
)


class Prospect(Base):
    __tablename__ = "prospects"
    __table_args__ = (
        Index("ix_prospects_created_at_id", "created_at", "id"),
        Index("ix_prospects_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(250))
    status_id: Mapped[int | None] = mapped_column(ForeignKey("statuses.id", ondelete="SET NULL"), index=True)
    priority_id: Mapped[int | None] = mapped_column(
        ForeignKey("priorities.id", ondelete="SET NULL"), index=True
    )
    company: Mapped[str] = mapped_column(String(200), default="")
    trade_register_no: Mapped[str] = mapped_column(String(50), default="")
    registration_code: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    county: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"), index=True)

    # Capture metadata.
    form_id: Mapped[int | None] = mapped_column(ForeignKey("web_forms.id", ondelete="SET NULL"), index=True)
    submission_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    page_url: Mapped[str] = mapped_column(String(2000), default="")
    referrer: Mapped[str] = mapped_column(String(2000), default="")
    attribution: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consent_given: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_text: Mapped[str] = mapped_column(Text, default="")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    status: Mapped[Status | None] = relationship(lazy="joined")
    priority: Mapped[Priority | None] = relationship(lazy="joined")
    source: Mapped[Source | None] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")
    form: Mapped[WebForm | None] = relationship(lazy="joined")
