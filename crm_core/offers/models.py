"""An offer to an account: who it goes to, until when, how likely it closes,
and its lines of products and services. Amounts are ``Decimal`` end to end
(``Numeric`` columns), never floats; a line keeps the name and price it was
given, so a later price change in the catalogue does not alter a sent offer."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.accounts.models import Account
from crm_core.contacts.models import Contact
from crm_core.db import Base, UTCDateTime, utcnow
from crm_core.lists.models import OfferStatus, Priority
from crm_core.users.models import User


class Offer(Base):
    __tablename__ = "offers"
    __table_args__ = (
        Index("ix_offers_created_at_id", "created_at", "id"),
        Index("ix_offers_owner_created", "owner_id", "created_at", "id"),
        Index("ix_offers_status_created", "status_id", "created_at", "id"),
        Index("ix_offers_account", "account_id", "created_at"),
        Index("ix_offers_expiry", "expiry_date", "id"),
        # The list's other orders (migration 0013).
        Index("ix_offers_name_id", "name", "id"),
        Index("ix_offers_total_id", "total", "id"),
        # Traceability: the offers made from a prospect, with what it counts of them.
        Index("ix_offers_prospect", "prospect_id", "status_id", "currency", "total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    expiry_date: Mapped[date | None] = mapped_column(Date)
    probability: Mapped[int] = mapped_column(Integer, default=50)  # close probability, 0-100 %
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priorities.id", ondelete="SET NULL"))
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217
    description: Mapped[str] = mapped_column(Text, default="")
    # The contact it is sent to: one of its account's contacts.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status_id: Mapped[int | None] = mapped_column(ForeignKey("offer_statuses.id", ondelete="SET NULL"))
    # Sum of the lines, rounded to the currency's minor unit; kept by the services.
    total: Mapped[Decimal] = mapped_column(Numeric(16, 4), default=Decimal(0))
    # The prospect it was converted from, for traceability (lead → account → offer).
    prospect_id: Mapped[int | None] = mapped_column(ForeignKey("prospects.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship(lazy="joined")
    contact: Mapped[Contact | None] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")
    status: Mapped[OfferStatus | None] = relationship(lazy="joined")
    priority: Mapped[Priority | None] = relationship(lazy="joined")
    lines: Mapped[list[OfferLine]] = relationship(
        back_populates="offer", order_by="OfferLine.position", cascade="all, delete-orphan", lazy="selectin"
    )


class OfferLine(Base):
    __tablename__ = "offer_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20), default="pc")
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3), default=Decimal(1))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    discount_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    line_total: Mapped[Decimal] = mapped_column(Numeric(16, 4), default=Decimal(0))

    offer: Mapped[Offer] = relationship(back_populates="lines")
