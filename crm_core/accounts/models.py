"""An account: the customer a prospect becomes — a company or a person — with
its registration data, owner, and (through the parent link) its contacts,
activities, tasks and notes. The prospects that led to it point at it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.db import Base, UTCDateTime, utcnow
from crm_core.users.models import User


class AccountType(enum.StrEnum):
    COMPANY = "company"
    PERSON = "person"


ACCOUNT_TEXT_FIELDS: dict[str, int] = {
    "name": 200,
    "registration_code": 50,  # CUI
    "trade_register_no": 50,  # Reg. Com.
    "reference": 100,
    "address": 300,
    "postal_code": 20,
    "city": 100,
    "county": 100,
    "country": 100,
    "phone": 50,
    "email": 254,
    "website": 300,
    "description": 5000,
}


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        Index("ix_accounts_created_at_id", "created_at", "id"),
        Index("ix_accounts_name_id", "name", "id"),
        Index("ix_accounts_owner_created", "owner_id", "created_at", "id"),
        # Looking for the same company before creating a duplicate.
        Index("ix_accounts_registration_code", "registration_code"),
        Index("ix_accounts_search_text", "search_text"),
        Index(
            "ix_accounts_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            sqlite_where=text("search_text IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[AccountType] = mapped_column(
        Enum(AccountType, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=AccountType.COMPANY,
    )
    name: Mapped[str] = mapped_column(String(200))
    registration_code: Mapped[str] = mapped_column(String(50), default="")
    trade_register_no: Mapped[str] = mapped_column(String(50), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    county: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Folded name, email, phone, registration code (crm_core.text.search), as on prospects.
    search_text: Mapped[str] = mapped_column(
        Text().with_variant(postgresql.TEXT(collation="C"), "postgresql"), default="", server_default=""
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship(lazy="joined")
