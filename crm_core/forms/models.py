"""A web form: its server-side presets (what every prospect it creates gets)
and its ordered, visitor-facing fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.db import Base, UTCDateTime, utcnow


class WebForm(Base):
    __tablename__ = "web_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(5), default="en")

    # Presets copied onto every prospect; never taken from the request.
    name_prefix: Mapped[str] = mapped_column(String(40), default="")
    status_id: Mapped[int | None] = mapped_column(ForeignKey("statuses.id", ondelete="SET NULL"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priorities.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    success_mode: Mapped[str] = mapped_column(String(10), default="message")  # message | redirect
    success_message: Mapped[str] = mapped_column(Text, default="")
    redirect_url: Mapped[str] = mapped_column(String(2000), default="")
    allowed_domains: Mapped[list[str]] = mapped_column(JSON, default=list)

    button_text: Mapped[str] = mapped_column(String(80), default="Send")
    button_bg: Mapped[str] = mapped_column(String(7), default="#1f6feb")
    button_fg: Mapped[str] = mapped_column(String(7), default="#ffffff")

    # When a submission's email matches an existing prospect: "create" a new
    # prospect anyway, or "attach" the submission to that prospect's history.
    duplicate_mode: Mapped[str] = mapped_column(String(10), default="create")

    consent_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_text: Mapped[str] = mapped_column(Text, default="")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    fields: Mapped[list[FormField]] = relationship(
        back_populates="form",
        order_by="FormField.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class FormField(Base):
    __tablename__ = "form_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("web_forms.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The posted name: a prospect attribute ("email") or "cf_<slug>" for a custom field.
    name: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    type: Mapped[str] = mapped_column(String(20), default="text")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    placeholder: Mapped[str] = mapped_column(String(200), default="")
    max_length: Mapped[int] = mapped_column(Integer, default=200)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)

    form: Mapped[WebForm] = relationship(back_populates="fields")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "required": self.required,
            "placeholder": self.placeholder,
            "max_length": self.max_length,
            "options": list(self.options or []),
        }
